/**
 * Frames as columns (src/frames/frame-set.ts): what the builders fill and the renderers read,
 * and the frames as objects (toArray, FrameColumns.from), for tests and library users.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildFrames, renderToString } from '../../src/pipeline';
import { FRAME_COLORS, FrameColumns, type Frame, type FrameSet } from '../../src/frames/frame-set';
import { readPstats } from '../../src/import/pstats';

const frame = (i: number): Frame => ({
  level: i % 7,
  x: i * 0.25,
  w: 1 / (i + 1),
  func: i % 5,
  color: FRAME_COLORS[i % 4],
  cc: i,
  nc: i + 1,
  tt: i * 1e-6,
  ct: i * 3e-6,
  self: i * 2e-6,
});

test('columns grow past their first capacity and give back every field of every frame', () => {
  const frames = Array.from({ length: 1000 }, (_, i) => frame(i));
  const cols = new FrameColumns(3);
  for (const f of frames) {
    const i = cols.add(f.level, f.x, f.w, f.func, FRAME_COLORS.indexOf(f.color), f.cc, f.nc, f.tt, f.ct);
    // self starts as tt; builders then add the time of children too small to draw.
    expect(cols.self[i]).toBe(f.tt);
    cols.self[i] = f.self;
  }
  expect(cols.length).toBe(1000);
  expect(cols.toArray()).toEqual(frames);
  expect(FrameColumns.from(frames).toArray()).toEqual(frames);
  expect(new FrameColumns().toArray()).toEqual([]);
});

test('columns know their deepest level as frames are added (the layout reads it)', () => {
  const cols = new FrameColumns(2);
  expect(cols.maxLevel).toBe(-1);
  for (const level of [0, 3, 1, 7, 2, 7, 0]) cols.add(level, 0, 1, 0, 0, 1, 1, 0, 0);
  expect(cols.maxLevel).toBe(7);
  const fromObjects = FrameColumns.from(cols.toArray());
  expect(fromObjects.maxLevel).toBe(7);
  // And for every fixture's sections, the deepest level of the frames themselves.
  const fs = buildFrames(readPstats(readFileSync(join(__dirname, '..', 'fixtures', 'sample-py3.prof'))), { threshold: 0.1 });
  for (const section of [fs.flame, fs.inverted]) {
    expect(section.maxLevel).toBe(Math.max(-1, ...section.level.subarray(0, section.length)));
    expect(section.maxLevel).toBeGreaterThan(0);
  }
});

test("a builder's frame set is columns; a set made by hand from the same frames as objects renders to the same bytes", () => {
  const profile = readPstats(readFileSync(join(__dirname, '..', 'fixtures', 'sample-py3.prof')));
  const fs = buildFrames(profile, { threshold: 0.1 });
  expect(fs.flame).toBeInstanceOf(FrameColumns);
  expect(fs.flame.length).toBeGreaterThan(10);
  expect(fs.profile).toBe(profile);
  const handMade: FrameSet = {
    ...fs,
    flame: FrameColumns.from(fs.flame.toArray()),
    inverted: FrameColumns.from(fs.inverted.toArray()),
  };
  expect(handMade.flame.toArray()).toEqual(fs.flame.toArray());
  for (const format of ['svg', 'log', 'html', 'speedscope'] as const) {
    expect(renderToString(handMade, { format, threshold: 0.1 })).toBe(renderToString(fs, { format, threshold: 0.1 }));
  }
});
