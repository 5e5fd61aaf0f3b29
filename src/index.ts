/**
 * flameprof as a library: `import { loadProfiles, buildFrames, renderToString } from 'flameprof'`.
 */
export { DEFAULT_OPTIONS, resolveOptions, type Options, type OutputFormat, type InputFormat } from './options';
export type { Profile, CallGraphProfile, SampledProfile, FuncKey, Timing, CallEdge, FunctionStats, SampledStack } from './model';
export { funcLabel, compareFuncKeys } from './model';
export type { Frame, FrameSet, FrameColor, SectionColumns } from './frames';
export { FrameColumns, FRAME_COLORS } from './frames';
export { FlameprofError, MarshalError, InputError, UsageError } from './errors';
export { decodeMarshal, type PyValue, type Decoded } from './decode/marshal';
export { readPstats, mergeCallGraphs } from './load/pstats';
export { parsePyLiteral, LiteralError, type LiteralOptions } from './decode/pyliteral';
export { readFolded, parseFrameName, type TextReadOptions } from './load/folded';
export { readPlop } from './load/plop';
export { detectFormat, decodeText, type DetectedFormat } from './load/detect';
export { stackFrames, sampledLabel, type StackFrameOptions } from './stacks';
export {
  readProfile,
  readInputFile,
  loadProfiles,
  mergeProfiles,
  mergeSampled,
  buildFrames,
  render,
  renderToString,
  defaultTitle,
  type ReadOptions,
} from './flameprof';
export type { ChunkOptions } from './render/bytes';
export { renderSvg, type SvgOptions, type FrameEngine } from './render/svg';
export { renderLog } from './render/log';
export { renderSpeedscope, SPEEDSCOPE_SCHEMA_URL, type SpeedscopeOptions } from './render/speedscope';
export { runPython, DEFAULT_RUN_OPTIONS, type RunOptions, type RunResult, type RunTarget } from './run/python';
