/** Task-definition parsing, read view, allow-list stripping and shape-preserving edits. */
export {
  applyTaskDefinitionEdit,
  type ContainerEdit,
  renderTaskDefinitionJson,
  TASK_DEFINITION_SIZE_LIMIT,
  type TaskDefinitionEdit,
  taskDefinitionSizeBytes,
} from './edit.js';
export { findKey, getField, isJsonObject, type JsonObject } from './json.js';
export {
  CONTAINER_DEFINITION_FIELDS,
  type ContainerView,
  containerDefinitionsArray,
  type EnvironmentEntry,
  type ParsedTaskDefinition,
  parseTaskDefinition,
  READ_ONLY_TASK_DEFINITION_FIELDS,
  REGISTER_TASK_DEFINITION_FIELDS,
  type RegisterTaskDefinitionField,
  readTaskDefinitionDocument,
  type SecretEntry,
  type TaskDefinitionShape,
  type TaskDefinitionTag,
  type TaskDefinitionView,
  taskDefinitionObject,
  toRegisterInput,
} from './parse.js';
