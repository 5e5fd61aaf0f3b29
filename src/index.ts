/**
 * flameprof as a library: `import { loadProfiles, buildFrames, renderToString } from 'flameprof'`.
 */
export { DEFAULT_OPTIONS, resolveOptions, type Options, type OutputFormat, type InputFormat } from './options';
export type { Profile, CallGraphProfile, SampledProfile, FuncKey, Timing, CallEdge, FunctionStats, SampledStack } from './model';
export { funcLabel, compareFuncKeys } from './model';
export type { Frame, FrameSet, FrameColor } from './frames';
export { FlameprofError, MarshalError, InputError, UsageError } from './errors';
export { decodeMarshal, type PyValue, type Decoded } from './decode/marshal';
export { readPstats, mergeCallGraphs } from './load/pstats';
export {
  readProfile,
  readInputFile,
  loadProfiles,
  mergeProfiles,
  buildFrames,
  render,
  renderToString,
  defaultTitle,
} from './flameprof';
export { renderSvg, type SvgOptions } from './render/svg';
export { renderLog } from './render/log';
export { runPython, DEFAULT_RUN_OPTIONS, type RunOptions, type RunResult, type RunTarget } from './run/python';
