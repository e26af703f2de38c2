export * from './types';
export * from './settings';
export { BOOT_COMMAND, renderBase } from './render-base';
export { renderBuild } from './render-build';
export { sealScript, sealSteps, shutdownCommand } from './seal';
export { secureBootScript, secureBootSteps } from './secure-boot';
export { render } from './render';
export { PACKER_LINKS } from './links';
