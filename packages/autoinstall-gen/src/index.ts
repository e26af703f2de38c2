export * from './types';
export {
  BUILD_SUDOERS_FILE,
  ESP_DIR,
  HTTP_FILES,
  KEYBOARD_LAYOUT,
  LOCALE,
  PACKAGES,
  PARTITION_SIZES,
  SIGNED_BOOT,
  TEMPLATE_VARS,
  WIRED_NIC_PATTERN,
} from './settings';
export { escapeTemplateText, renderTemplate, templateVar, templateVarNames } from './packer-template';
export { storage, storageConfig, type StorageAction } from './storage';
export { earlyCommands, errorCommands, INSTALLER_LOGS, lateCommands, signedBootCheck } from './commands';
export { userDataSchema } from './schema';
export { renderUserData } from './render-user-data';
export { renderMetaData } from './render-meta-data';
export { render } from './render';
