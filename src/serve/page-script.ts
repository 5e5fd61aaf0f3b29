/**
 * The script of `flameprof serve`'s listing and groups pages (built by scripts/build.js into
 * dist/pages.js, which pages.ts puts in both and allows by its hash): the filter box, which
 * asks the server for the matching rows (Enter), and the compare button's two choices.
 */

const filter = document.getElementById('filter') as HTMLInputElement;

function valid(): boolean {
  try {
    new RegExp(filter.value);
    filter.classList.remove('bad');
    return true;
  } catch {
    filter.classList.add('bad');
    return false;
  }
}
filter.addEventListener('input', valid);
filter.addEventListener('keydown', (e) => {
  if (e.key !== 'Enter' || !valid()) return;
  const params = new URLSearchParams(location.search);
  params.delete('page');
  if (filter.value === '') params.delete('match');
  else params.set('match', filter.value);
  const q = params.toString();
  location.href = location.pathname + (q === '' ? '' : `?${q}`);
});

// Each box's value is a regular expression: a profile's exact path, or a group's pattern.
const boxes = Array.from(document.querySelectorAll<HTMLInputElement>('input.pick'));
const compare = document.getElementById('compare') as HTMLButtonElement;
const picks = (): HTMLInputElement[] => boxes.filter((b) => b.checked);
for (const b of boxes) b.addEventListener('change', () => (compare.disabled = picks().length !== 2));
compare.addEventListener('click', () => {
  const p = picks();
  if (p.length !== 2) return;
  // The older one is BEFORE.
  let [a, b] = p;
  if (Number(a.getAttribute('data-time')) > Number(b.getAttribute('data-time'))) [a, b] = [b, a];
  location.href = `diff?before=${encodeURIComponent(a.value)}&after=${encodeURIComponent(b.value)}`;
});
