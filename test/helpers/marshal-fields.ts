/**
 * Where the length, count and index fields of a well-formed marshal stream are, so the fuzz
 * test can aim at them. A deliberately small walker of its own (not our decoder): it only
 * has to handle the codes pstats dumps use, and it is only ever run on valid fixtures.
 */

export type FieldKind =
  /** int32 length of a string or count of a tuple/list/set */
  | 'len32'
  /** uint8 length of a short string or count of a small tuple */
  | 'len8'
  /** int32 index of an 'r' or 'R' reference */
  | 'index'
  /** int32 payload of an 'i' */
  | 'int'
  /** int32 digit count of an 'l' */
  | 'digits'
  /** float64 payload of a 'g' */
  | 'float';

export interface Field {
  readonly at: number;
  readonly kind: FieldKind;
}

export function marshalFields(buf: Uint8Array): Field[] {
  const fields: Field[] = [];
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let pos = 0;
  const i32 = (kind: FieldKind): number => {
    fields.push({ at: pos, kind });
    const v = dv.getInt32(pos, true);
    pos += 4;
    return v;
  };
  const u8 = (kind: FieldKind): number => {
    fields.push({ at: pos, kind });
    return buf[pos++];
  };
  const walk = (): void => {
    const code = String.fromCharCode(buf[pos++] & 0x7f);
    switch (code) {
      case 'N':
      case 'T':
      case 'F':
        return;
      case 'i':
        i32('int');
        return;
      case 'g':
        fields.push({ at: pos, kind: 'float' });
        pos += 8;
        return;
      case 'l': {
        const n = i32('digits');
        pos += 2 * Math.abs(n);
        return;
      }
      case 's':
      case 't':
      case 'u':
      case 'a':
      case 'A':
      {
        const n = i32('len32'); // not `pos += i32(...)`: that reads pos before i32 moves it
        pos += n;
        return;
      }
      case 'z':
      case 'Z':
      {
        const n = u8('len8');
        pos += n;
        return;
      }
      case 'r':
      case 'R':
        i32('index');
        return;
      case '(':
      case '[':
      case '<':
      case '>': {
        const n = i32('len32');
        for (let i = 0; i < n; i++) walk();
        return;
      }
      case ')': {
        const n = u8('len8');
        for (let i = 0; i < n; i++) walk();
        return;
      }
      case '{':
        while (buf[pos] !== 0x30) {
          walk();
          walk();
        }
        pos++;
        return;
      default:
        throw new Error(`marshalFields: unexpected code ${JSON.stringify(code)} at ${pos - 1}`);
    }
  };
  walk();
  if (pos !== buf.length) throw new Error(`marshalFields: stopped at ${pos} of ${buf.length}`);
  return fields;
}
