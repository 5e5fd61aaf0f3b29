import type { FuncKey } from '../model/profile';

/**
 * Function keys -> index, without building a string per lookup (a dump has one lookup per
 * call edge): by file, then name (strings the decoder shares between entries, so their
 * hashes are computed once), then line along a chain that is almost always one long.
 */
export class KeyIndex {
  private readonly byFile = new Map<string, Map<string, number>>();
  private readonly lines: number[] = [];
  /** Next index with the same file and name (another line), or -1. */
  private readonly chain: number[] = [];

  /** The index of (file, line, name), or -1. */
  get(file: string, line: number, name: string): number {
    let i = this.byFile.get(file)?.get(name) ?? -1;
    while (i >= 0 && this.lines[i] !== line) i = this.chain[i];
    return i;
  }

  /** Record index `i` for a key that `get` did not find. */
  add(k: FuncKey, i: number): void {
    let byName = this.byFile.get(k.file);
    if (byName === undefined) {
      byName = new Map();
      this.byFile.set(k.file, byName);
    }
    this.lines[i] = k.line;
    this.chain[i] = byName.get(k.name) ?? -1;
    byName.set(k.name, i);
  }
}
