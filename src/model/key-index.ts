/**
 * Function keys -> index, without building a string per lookup (a dump has one lookup per
 * call edge): by file, then name, then line along a chain that is almost always one long.
 * Files and names are strings (the general reader) or string ids (the fast one).
 */
export class KeyIndex<T extends string | number> {
  private readonly byFile = new Map<T, Map<T, number>>();
  private readonly lines: number[] = [];
  /** Next index with the same file and name (another line), or -1. */
  private readonly chain: number[] = [];

  /** The index of (file, line, name), or -1. */
  get(file: T, line: number, name: T): number {
    let i = this.byFile.get(file)?.get(name) ?? -1;
    while (i >= 0 && this.lines[i] !== line) i = this.chain[i];
    return i;
  }

  /** Record index `i` for a key that `get` did not find. */
  add(file: T, line: number, name: T, i: number): void {
    let byName = this.byFile.get(file);
    if (byName === undefined) {
      byName = new Map();
      this.byFile.set(file, byName);
    }
    this.lines[i] = line;
    this.chain[i] = byName.get(name) ?? -1;
    byName.set(name, i);
  }
}
