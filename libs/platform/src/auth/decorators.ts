import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { Actor, Role } from '@tracker/contracts';
import { ForbiddenProblem } from '../errors/problem';

export const IS_PUBLIC = 'platform:isPublic';
export const REQUIRED_ROLES = 'platform:roles';

/** No API key needed (health, metrics). Everything else requires one. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/**
 * The key must have one of these roles (admin always passes). On a handler it replaces the controller's.
 * Without @Roles, any valid key may call the route.
 */
export const Roles = (...roles: Role[]) => SetMetadata(REQUIRED_ROLES, roles);

/** Who calls: `{ id: <key name>, role: <the role that satisfied the route's check> }`. Undefined on @Public routes. */
export const CurrentActor = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Actor | undefined =>
    ctx.switchToHttp().getRequest<{ actor?: Actor }>().actor,
);

/** For per-resource checks in services: throws 403 unless the actor acts in one of `roles` (admin passes). */
export function requireRole(actor: Actor | undefined, ...roles: Role[]): asserts actor is Actor {
  if (!actor || !(actor.role === 'admin' || roles.includes(actor.role as Role))) {
    throw new ForbiddenProblem(`This action requires one of the roles: ${roles.join(', ')}.`);
  }
}
