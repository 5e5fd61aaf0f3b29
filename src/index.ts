/**
 * flameprof as a library: `import { loadProfiles, buildFrames, renderToString } from 'flameprof'`.
 */
export {
  DEFAULT_OPTIONS,
  resolveOptions,
  type Options,
  type OutputFormat,
  type InputFormat,
  type Geometry,
  type SvgOptions,
} from './options';
export type { Profile, CallGraphProfile, SampledProfile, FuncKey, Timing, CallEdge, FunctionStats, SampledStack } from './model/profile';
export { funcLabel, compareFuncKeys } from './model/profile';
export type { Frame, FrameSet, FrameColor, SectionColumns } from './frames/frame-set';
export { FrameColumns, FRAME_COLORS } from './frames/frame-set';
export { FlameprofError, MarshalError, InputError, UsageError } from './errors';
export { decodeMarshal, type PyValue, type Decoded } from './import/marshal';
export { readPstats } from './import/pstats';
export { parsePyLiteral, LiteralError, type LiteralOptions } from './import/pyliteral';
export { readFolded, parseFrameName, type TextReadOptions } from './import/folded';
export { readPlop } from './import/plop';
export { detectFormat, decodeText, type DetectedFormat } from './import/detect';
export { readProfile, type ReadOptions } from './import/read';
export { mergeProfiles, mergeCallGraphs, mergeSampled } from './import/merge';
export { stackFrames, sampledLabel, type StackFrameOptions } from './frames/stacks';
export { readInputFile } from './io/files';
export { loadProfiles, buildFrames, render, renderToString, defaultTitle } from './pipeline';
export type { ChunkOptions } from './render/bytes';
export { renderSvg } from './render/svg';
export { renderHtml, type HtmlOptions } from './render/html';
export { exactStats, type ExactStats } from './frames/exact';
export { renderLog } from './render/log';
export { renderSpeedscope, SPEEDSCOPE_SCHEMA_URL, type SpeedscopeOptions } from './render/speedscope';
export { runPython, DEFAULT_RUN_OPTIONS, type RunOptions, type RunResult, type RunTarget } from './io/python';
