/**
 * flameprof as a library: `import { loadProfiles, buildFrames, renderToString } from 'flameprof'`.
 * The steps are the pipeline's (bytes -> profile -> frames -> output bytes); the registries
 * list the formats; the model's types are what each step hands the next.
 */
export { DEFAULT_OPTIONS, resolveOptions, type Command, type Options } from './options';
export {
  readProfile,
  readProfileStream,
  loadProfiles,
  loadProfilesStreamed,
  buildFrames,
  render,
  renderToString,
  diffProfiles,
  runProgram,
  type ProfileDiff,
} from './pipeline';
export { IMPORTERS, INPUT_FORMATS, detectFormat, type InputFormat } from './import/registry';
export type { Importer, ReadSettings } from './import/importer';
export { RENDERERS, OUTPUT_FORMATS, DIFF_FORMATS, type OutputFormat } from './render/registry';
export type { FramePaint, Geometry, Renderer, RenderSettings, SvgOptions } from './render/renderer';
export { COLOR_SCHEMES, type ColorScheme } from './render/colour';
export type { ChunkOptions } from './render/bytes';
export { SPEEDSCOPE_SCHEMA_URL } from './render/speedscope';
export type { Profile, CallGraphProfile, CallGraphColumns, SampledProfile, SampledStack, FuncKey } from './model/profile';
export { funcKey, funcLabel } from './model/profile';
export { compareFuncKeys } from './model/keys';
export { callGraphObjects, callGraphFromObjects, type FunctionStats, type CallEdge, type Timing } from './model/objects';
export type { Frame, FrameSet, FrameColor, FrameFunc, Sections } from './frames/frame-set';
export { FrameColumns, FRAME_COLORS } from './frames/frame-set';
export { exactStats, type ExactStats } from './frames/exact';
export { mergeProfiles, mergeCallGraphs, mergeSampled, ProfileMerger } from './import/merge';
export { decodeMarshal, type PyValue, type Decoded } from './import/marshal';
export { readPstats } from './import/pstats';
export { readFolded, parseFrameName, type TextReadOptions } from './import/folded';
export { readPlop } from './import/plop';
export { parsePyLiteral, LiteralError, type LiteralOptions } from './import/pyliteral';
export { readInputFile } from './io/files';
export type { RunResult, RunTarget } from './io/python';
export { FlameprofError, MarshalError, InputError, UsageError } from './errors';
