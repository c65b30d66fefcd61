export { ReadModels, Generation, type CollectionSource, type IndexDefinition } from './read-models';
export {
  READ_MODEL_PROJECTIONS,
  type Projection,
  type StoreProjection,
  type TopicProjection,
  type FoldedStream,
  type ReadModelDocument,
} from './projections';
export { ReplayRunner, ReplayInProgressError, type ReplayStatus, type ReplayPhase } from './replay';
export { ReplayController } from './replay.controller';
