/**
 * The script of `flameprof serve`'s listing (built by scripts/build.js into dist/listing.js,
 * which listing.ts puts in the page and allows by its hash): the filter box, with the search
 * rule every view shares, and the compare button's two choices.
 */
import { searchRegex } from '../render/search';

const filter = document.getElementById('filter') as HTMLInputElement;
const rows = Array.from(document.querySelectorAll<HTMLTableRowElement>('tbody tr'));
const count = document.getElementById('count')!;

function apply(): void {
  let re: RegExp;
  try {
    re = searchRegex(filter.value);
    filter.classList.remove('bad');
  } catch {
    filter.classList.add('bad');
    return;
  }
  let shown = 0;
  for (const r of rows) {
    const ok = re.test(r.getAttribute('data-text') ?? '');
    r.hidden = !ok;
    if (ok) shown++;
  }
  count.textContent = `${shown} of ${rows.length}`;
}
filter.addEventListener('input', apply);

const boxes = Array.from(document.querySelectorAll<HTMLInputElement>('input.pick'));
const compare = document.getElementById('compare') as HTMLButtonElement;
const picks = (): HTMLInputElement[] => boxes.filter((b) => b.checked);
for (const b of boxes) b.addEventListener('change', () => (compare.disabled = picks().length !== 2));
compare.addEventListener('click', () => {
  const p = picks();
  if (p.length !== 2) return;
  // The older one is BEFORE.
  let [a, b] = p;
  if (Number(a.getAttribute('data-mtime')) > Number(b.getAttribute('data-mtime'))) [a, b] = [b, a];
  location.href = `diff?before=${encodeURIComponent(a.value)}&after=${encodeURIComponent(b.value)}`;
});
apply();
