export { type SelectToolsOptions, searchIsOn, selectTools } from './choose.ts';
export {
  DEFAULT_SEARCH_LIMIT,
  SEARCH_THRESHOLD,
  TOOL_SEARCH_CHOICES,
  type ToolSearchChoice,
} from './defaults.ts';
export { ToolSelection, type ToolSelectionOptions } from './tool-selection.ts';
