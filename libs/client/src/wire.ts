// The wire types, from openapi/openapi.json (generated/openapi.ts is written by `npm run openapi`).
import type { components } from './generated/openapi.js';

type Schemas = components['schemas'];
export type ModelSelectionDto = Schemas['ModelSelectionDto'];
export type UsageDto = Schemas['UsageDto'];
export type UsageBatchDto = Schemas['UsageBatchDto'];
export type UsageBatchResultDto = Schemas['UsageBatchResultDto'];
export type UsageAcceptedDto = Schemas['UsageAcceptedDto'];
export type ErrorBodyDto = Schemas['ErrorBodyDto'];
export type TokenRequestDto = Schemas['TokenRequestDto'];
export type TokenResponseDto = Schemas['TokenResponseDto'];
export type RefreshRequestDto = Schemas['RefreshRequestDto'];
export type RefreshResponseDto = Schemas['RefreshResponseDto'];
/** The mode of a selection (NORMAL or TIGHT). */
export type SelectionMode = Schemas['Mode'];
/** The status of one label in a usage answer (NORMAL, TIGHT or EXCEEDED). */
export type LabelStatus = Schemas['LabelStatus'];
export type { components, paths } from './generated/openapi.js';
