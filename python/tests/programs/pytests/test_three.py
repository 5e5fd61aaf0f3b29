"""Three small tests for the pytest plugin's tests."""
import pytest


def crunch(n):
    return sum(i * i for i in range(n))


@pytest.fixture
def numbers():
    return list(range(crunch(200) % 1000))


def test_crunch_one():
    assert crunch(100000) > 0


def test_crunch_two(numbers):
    assert crunch(len(numbers) + 1000) >= 0


def test_crunch_three():
    assert crunch(50000) > 0
