"""One helper, parse_record, called from three loaders with different amounts of work.
The dump records how long parse_record's own callees took in total, but not on whose
behalf: a flame graph has to share that time out among the three loaders (an estimate)."""


def split_fields(line):
    fields = []
    for field in line.split(","):
        fields.append(field.strip())
    return fields


def to_number(text):
    return float(text) if "." in text else int(text)


def parse_record(line):
    name, *values = split_fields(line)
    numbers = []
    for value in values:
        numbers.append(to_number(value))
    return name, numbers


def make_lines(prefix, count, columns):
    """CSV-like lines such as "order7, 234, 251.5, 268, 285.5"."""
    lines = []
    for i in range(count):
        fields = [f"{prefix}{i}"]
        for c in range(columns):
            fields.append(str((i * 31 + c * 17) % 1000) + (".5" if c % 2 else ""))
        lines.append(", ".join(fields))
    return lines


def load_users():
    records = []
    for line in make_lines("user", 3000, 2):
        records.append(parse_record(line))
    return records


def load_orders():
    records = []
    for line in make_lines("order", 6000, 4):
        records.append(parse_record(line))
    return records


def load_prices():
    records = []
    for line in make_lines("item", 1500, 8):
        records.append(parse_record(line))
    return records


def main():
    users, orders, prices = load_users(), load_orders(), load_prices()
    total = 0
    for _, values in orders:
        total += sum(values)
    print(f"{len(users)} users, {len(orders)} orders, {len(prices)} prices, order total {total:.1f}")


if __name__ == "__main__":
    main()
