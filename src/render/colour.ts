/**
 * Frame fills, as flameprof 0.4 picks them: the colour class chooses the palette and the
 * label's SHA-1 the entry, so that a function keeps its colour across graphs and runs.
 * Other schemes (--colors) change the palettes, never what a class means: guessed frames
 * keep a hue of their own.
 */
import type { FrameColor } from '../frames/frame-set';

/**
 * The colour schemes (--colors): 'hot' (flameprof's), 'python' (by where the code lives: your
 * code, the standard library, site-packages, built-ins, import machinery), 'aqua', 'blue',
 * 'green', or 'colorblind' (safe for the common colour-vision deficiencies).
 */
export type ColorScheme = 'hot' | 'python' | 'aqua' | 'blue' | 'green' | 'colorblind';
export const COLOR_SCHEMES: readonly ColorScheme[] = ['hot', 'python', 'aqua', 'blue', 'green', 'colorblind'];

type RGB = readonly [number, number, number];
type Palettes = Readonly<Record<FrameColor, readonly RGB[]>>;

/** flameprof's palettes, index 0 first. */
export const PALETTES: Readonly<Record<FrameColor, readonly RGB[]>> = {
  normal: [
    [255, 240, 141],
    [255, 215, 125],
    [255, 190, 110],
    [255, 165, 95],
    [255, 140, 79],
    [255, 115, 64],
    [255, 90, 49],
  ],
  guessed: [
    [44, 255, 210],
    [57, 242, 168],
    [71, 230, 126],
    [85, 218, 84],
    [99, 206, 42],
  ],
  calleeless: [
    [230, 230, 255],
    [214, 214, 255],
    [198, 198, 255],
    [182, 182, 255],
    [166, 166, 255],
  ],
  caller: [
    [190, 190, 190],
    [197, 197, 197],
    [204, 204, 204],
    [211, 211, 211],
    [218, 218, 218],
    [225, 225, 225],
    [232, 232, 232],
  ],
};

/** Five tints of one hue, light enough for black labels. */
const tints = (from: RGB, to: RGB): RGB[] =>
  [0, 1, 2, 3, 4].map((k) => from.map((c, i) => Math.round(c + ((to[i] - c) * k) / 4)) as unknown as RGB);

const ORANGE = tints([255, 190, 110], [255, 228, 170]);
const AQUA = tints([115, 215, 230], [175, 238, 250]);
const BLUE = tints([140, 170, 250], [200, 218, 255]);
const GREEN = tints([120, 220, 120], [200, 250, 200]);
const PURPLE = tints([200, 160, 240], [232, 214, 255]);
const GREY = tints([180, 180, 180], [220, 220, 220]);

/**
 * The palettes of each scheme. Cool schemes draw guessed frames orange, so that "estimated"
 * never shares a hue with the rest. colorblind uses the Okabe-Ito hues that the common
 * colour-vision deficiencies tell apart (sky blue, orange, yellow, grey), each tint with a
 * contrast of at least 4.5:1 against the black labels.
 */
export const SCHEMES: Readonly<Record<Exclude<ColorScheme, 'python'>, Palettes>> = {
  hot: PALETTES,
  aqua: { normal: AQUA, guessed: ORANGE, calleeless: PALETTES.calleeless, caller: PALETTES.caller },
  blue: { normal: BLUE, guessed: ORANGE, calleeless: PALETTES.calleeless, caller: PALETTES.caller },
  green: { normal: GREEN, guessed: ORANGE, calleeless: PALETTES.calleeless, caller: PALETTES.caller },
  colorblind: {
    normal: tints([86, 180, 233], [170, 218, 245]),
    guessed: tints([230, 159, 0], [245, 200, 110]),
    calleeless: tints([240, 228, 66], [248, 240, 160]),
    caller: GREY,
  },
};

/** Where a function's code lives, for the python scheme. */
export type CodePlace = 'yours' | 'stdlib' | 'site-packages' | 'builtin' | 'import';

/** The python scheme's hue for normal frames, by where the code lives (as inferno's python palette). */
const PLACES: Readonly<Record<CodePlace, readonly RGB[]>> = {
  yours: ORANGE,
  stdlib: BLUE,
  'site-packages': PURPLE,
  builtin: GREY,
  import: tints([215, 215, 200], [240, 240, 230]),
};

export function codePlace(file: string): CodePlace {
  if (file === '~' || file === '') return 'builtin';
  if (file.startsWith('<frozen ')) return 'import';
  if (/[\\/](?:site|dist)-packages[\\/]/.test(file)) return 'site-packages';
  if (/[\\/][Ll]ib[\\/]python\d+(?:\.\d+)?[\\/]/.test(file)) return 'stdlib';
  return 'yours';
}

function palette(scheme: ColorScheme, color: FrameColor, file: string): readonly RGB[] {
  if (scheme !== 'python') return SCHEMES[scheme][color];
  return color === 'normal' ? PLACES[codePlace(file)] : PALETTES[color];
}

/** A palette entry as SVG writes it. */
export function rgbFill([r, g, b]: RGB): string {
  return `rgb(${r},${g},${b})`;
}

let sha1: ((label: string) => Buffer) | undefined;

/** The first 32 bits of a label's SHA-1 (of its UTF-8 bytes) over 2^32: flameprof's colour choice. */
export function sha1Share(label: string): number {
  return labelDigest(label).readUInt32BE(0) / 2 ** 32;
}

/**
 * SHA-1 of a label, with node:crypto loaded on first use: it costs ~2.5 ms of start-up that
 * --version and logs never need. The one-shot `crypto.hash` (Node 20.12+) where there is one:
 * half the time of a Hash object per label.
 */
function labelDigest(label: string): Buffer {
  if (sha1 === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const crypto = require('node:crypto') as typeof import('node:crypto') & {
      hash?: (algorithm: string, data: string, encoding: 'buffer') => Buffer;
    };
    const hash = crypto.hash;
    sha1 = hash !== undefined ? (s) => hash('sha1', s, 'buffer') : (s) => crypto.createHash('sha1').update(s, 'utf8').digest();
  }
  return sha1(label);
}

/**
 * Colour by hashing the label, so a function keeps its colour across graphs and runs.
 * Cached per label and palette: sha1 per frame would dominate big renders.
 */
export class Colorizer {
  /** By palette, then label: no key string is built per frame (labels keep their hash). */
  private readonly cache = new Map<FrameColor, Map<string, string>>();
  /** Where a label falls in any palette, from its hash: one hash per label, not per palette. */
  private readonly shares = new Map<string, number>();

  constructor(private readonly scheme: ColorScheme = 'hot') {}

  /** The fill of a frame of class `color` whose function is `label` (in `file`). */
  fill(label: string, color: FrameColor, file = ''): string {
    let byLabel = this.cache.get(color);
    if (byLabel === undefined) {
      byLabel = new Map();
      this.cache.set(color, byLabel);
    }
    let fill = byLabel.get(label);
    if (fill === undefined) {
      const entries = palette(this.scheme, color, file);
      fill = rgbFill(entries[Math.floor(entries.length * this.share(label))]);
      byLabel.set(label, fill);
    }
    return fill;
  }

  /** Where a label falls in any palette, in [0, 1): palette[floor(palette.length * share)]. */
  share(label: string): number {
    let u = this.shares.get(label);
    if (u === undefined) {
      u = sha1Share(label);
      this.shares.set(label, u);
    }
    return u;
  }
}
