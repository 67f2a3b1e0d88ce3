export {
  DATA_KEY_BYTES,
  PersonalDataIntegrityError,
  defaultKeyId,
  generateDataKey,
  keyEncryptionKey,
  openPersonalValue,
  sealPersonalValue,
  unwrapDataKey,
  wrapDataKey,
} from './envelope-crypto';
export type { KeyEncryptionKey } from './envelope-crypto';
export { DEV_KEK_FILE, loadKeyEncryptionKey, type PersonalDataSettings } from './kek-config';
export {
  DEFAULT_PRIVACY_SCHEMA,
  PRIVACY_MIGRATIONS,
  SubjectErasedError,
  SubjectKeyStore,
  migratePrivacy,
  privacySchemaOf,
} from './subject-key.store';
export type { SubjectErasure, SubjectKeyState } from './subject-key.store';
export {
  PersonalData,
  UNAVAILABLE_PERSONAL_DATA,
  UNREADABLE_PERSONAL_DATA,
  assertSubjectId,
} from './personal-data';
export { ERASED_PERSONAL_DATA, isSealedPersonalData } from '@trainyard/kernel';
export type { SealedPersonalData } from '@trainyard/kernel';
export {
  ARCHIVE_FORMAT,
  exportArchiveSegment,
  readArchiveManifests,
  verifyArchive,
} from './archive/event-log-archive';
export type {
  ArchiveExportOptions,
  ArchiveExportResult,
  ArchiveManifest,
  ArchiveVerification,
} from './archive/event-log-archive';
export {
  RECORD_ARCHIVE_FORMAT,
  discardRecordArchive,
  verifyRecordArchive,
  writeRecordArchive,
} from './archive/record-archive';
export type {
  ArchivedRecord,
  RecordArchiveManifest,
  RecordArchiveVerification,
  RecordedArchive,
  WrittenRecordArchive,
} from './archive/record-archive';
export { rotateKeyEncryptionKey } from './kek-rotation';
export type { KekRotationResult } from './kek-rotation';
