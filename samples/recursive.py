"""Recursion, two ways: a recursive-descent calculator whose expression, term and factor
parsers call each other, and a recursive walk over a directory-like tree."""


def make_expression(depth, seed):
    """A nested arithmetic expression such as "(3 + 4) * (5 - (2 + 1))"."""
    if depth == 0:
        return str(seed % 9 + 1)
    op = "+-*"[seed % 3]
    left = make_expression(depth - 1, seed * 7 + 1)
    right = make_expression(depth - 1, seed * 5 + 3)
    return f"({left} {op} {right})"


def tokenize(text):
    return text.replace("(", " ( ").replace(")", " ) ").split()


# Grammar:  expr := term (("+" | "-") term)*
#           term := factor ("*" factor)*
#           factor := NUMBER | "(" expr ")"
def parse_expr(tokens, pos):
    value, pos = parse_term(tokens, pos)
    while pos < len(tokens) and tokens[pos] in "+-":
        op = tokens[pos]
        rhs, pos = parse_term(tokens, pos + 1)
        value = value + rhs if op == "+" else value - rhs
    return value, pos


def parse_term(tokens, pos):
    value, pos = parse_factor(tokens, pos)
    while pos < len(tokens) and tokens[pos] == "*":
        rhs, pos = parse_factor(tokens, pos + 1)
        value *= rhs
    return value, pos


def parse_factor(tokens, pos):
    if tokens[pos] == "(":
        value, pos = parse_expr(tokens, pos + 1)
        return value, pos + 1  # skip ")"
    return int(tokens[pos]), pos + 1


def evaluate(text):
    value, _ = parse_expr(tokenize(text), 0)
    return value


def build_tree(depth, fanout, name="root"):
    """A directory-like tree: inner nodes are dicts of children, leaves are file sizes."""
    if depth == 0:
        return len(name) * 100
    children = {}
    for i in range(fanout):
        path = f"{name}/{i}"
        children[path] = build_tree(depth - 1, fanout, path)
    return children


def walk(node):
    """Total size below a node."""
    if isinstance(node, int):
        return node
    total = 0
    for child in node.values():
        total += walk(child)
    return total


def main():
    for seed in range(30):
        print("expression", seed, "=", evaluate(make_expression(depth=8, seed=seed)))
    tree = build_tree(depth=6, fanout=5)
    print("tree size:", walk(tree))


if __name__ == "__main__":
    main()
