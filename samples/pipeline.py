"""A small text-processing pipeline: make some text, split it into words, count them,
sort by frequency and format a report. Deterministic: no clock, no randomness, no files."""

SYLLABLES = "ka lo mi nu re so ta vi ze ban dor fel gim hux pry".split()


def generate_text(lines, words_per_line):
    """Made-up words of one to three syllables, picked by a linear congruential generator:
    pseudo-random but the same on every run."""
    state = 12345
    out = []
    for _ in range(lines):
        words = []
        for _ in range(words_per_line):
            state = (state * 1103515245 + 12345) % 2**31
            word = ""
            for _ in range(1 + state % 3):
                state = (state * 1103515245 + 12345) % 2**31
                word += SYLLABLES[state % len(SYLLABLES)]
            words.append(word.capitalize() if state % 7 == 0 else word)
        out.append(" ".join(words) + ("." if state % 3 == 0 else ","))
    return "\n".join(out)


def normalize(token):
    return token.strip(".,;:!?").lower()


def tokenize(text):
    tokens = []
    for line in text.splitlines():
        for raw in line.split():
            word = normalize(raw)
            if word:
                tokens.append(word)
    return tokens


def count_words(tokens):
    counts = {}
    for word in tokens:
        counts[word] = counts.get(word, 0) + 1
    return counts


def sort_counts(counts):
    # Most frequent first; ties in alphabetical order so the output never changes.
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def format_report(ranked):
    lines = []
    for rank, (word, count) in enumerate(ranked, 1):
        lines.append(f"{rank:>5}  {word:<18} {count:>6}")
    return "\n".join(lines)


def main():
    text = generate_text(lines=4000, words_per_line=12)
    tokens = tokenize(text)
    counts = count_words(tokens)
    ranked = sort_counts(counts)
    report = format_report(ranked)
    print(f"{len(tokens)} words, {len(ranked)} different; the most frequent:")
    print("\n".join(report.splitlines()[:10]))


if __name__ == "__main__":
    main()
