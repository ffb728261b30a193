// The pure core, for programmatic use: no n8n import anywhere below this folder.
export * from './identifiers';
export * from './http';
export * from './retry';
export * from './state/memberCodec';
export * from './state/syncState';
export * from './sync/changeItem';
export * from './sync/consent';
export * from './sync/planner';
export * from './sync/planRun';
export * from './sync/commit';
export * from './sync/batching';
export * from './sync/uploader';
export * from './sync/linkMarker';
export { MetaClient } from './meta/metaClient';
export { MetaApiError } from './meta/metaErrors';
export { ActitoClient, ActitoApiError } from './actito/actitoClient';
export { ActitoApi } from './actito/actitoApi';
export { flattenProfile, isInSegmentation } from './actito/profile';
