"""CPU-bound pure Python for the sampler's overhead: loops and calls, about 5 s."""


def leaf(i):
    return (i * 31 + 7) % 1009


def middle(n):
    total = 0
    for i in range(n):
        total += leaf(i)
    return total


def top(rounds):
    return sum(middle(2000) for _ in range(rounds))


if __name__ == "__main__":
    print(top(32000))
