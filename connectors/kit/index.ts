/**
 * @switchboard/connector-kit: everything a connector (built in or third party) is written with.
 * It imports only its own files, node built-ins, ajv, ajv-formats and jsonata.
 */
export * from './types.ts';
export * from './integrations.ts';
export * from './provisioning.ts';
export {
  ConnectorDefinitionError,
  ConnectorError,
  MappingError,
  classifyHttpError,
  isRetryableCode,
  parseRetryAfter,
  type ConnectorErrorCode,
  type ConnectorErrorOptions,
} from './errors.ts';
export {
  defineConnector,
  isConnectorDefinition,
  type AnyConnectorDefinition,
  type AnyConnectorSpec,
  type ConnectorDefinition,
  type ConnectorSpec,
  type JsonSchema,
} from './define.ts';
export {
  manifestSchema,
  serviceWindowHours,
  validateManifest,
  type ConfigMigration,
  type ErrorMapEntry,
  type FieldMapping,
  type InboundRule,
  type Manifest,
} from './manifest.ts';
export { normalizedEventSchema } from './events.schema.ts';
export { canonicalStatus, lookupError, mapInbound, mapOutbound, migrateConfig, type MapOptions } from './mapping.ts';
export { decodeForm, headerOf, parseRequest } from './request.ts';
export { CsvError, csvRowsExpression, parseCsv, parseCsvTable, type CsvTable } from './csv.ts';
export { headerParams, parseMultipart, type MultipartFile, type MultipartValue } from './multipart.ts';
export {
  decodeEncodedWords,
  htmlToText,
  parseAddressList,
  parseHeaderBlock,
  parseMessageIdList,
  parseMime,
  type EmailAddress,
  type MimeAttachment,
  type ParsedMime,
} from './email.ts';
export { decodeBytes } from './charsets.ts';
export { phoneE164 } from './phones.ts';
export { providerBaseUrl } from './provider-hosts.ts';
export { kitFunctions } from './functions.ts';
export { compareSemver, parseSemver, type SemVer } from './semver.ts';
export { changelogEntry, createRegistry, declaredEntry, type CatalogEntry, type CatalogVersion, type Registry, type RegistryOptions } from './registry.ts';
export * from './signatures/index.ts';
export { meantBranches } from './ajv.ts';
