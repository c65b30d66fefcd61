export {
  Problem,
  ValidationProblem,
  NotFoundProblem,
  ConflictProblem,
  UnprocessableProblem,
  ForbiddenProblem,
  UnauthorizedProblem,
  PreconditionRequiredProblem,
  problemType,
  type FieldError,
  type ProblemBody,
} from './problem';
export { parseIfMatch } from './if-match';
export { ProblemFilter, toProblem } from './problem.filter';
