import {
  Inject,
  Injectable,
  Logger,
  type CanActivate,
  type ExecutionContext,
  type OnModuleInit,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Actor, Role } from '@tracker/contracts';
import { ForbiddenProblem, UnauthorizedProblem } from '../errors/problem';
import { ApiKeyStore, bearerToken, type ApiKeyRecord } from './api-keys';
import { PLATFORM_OPTIONS } from '../tokens';
import { IS_PUBLIC, REQUIRED_ROLES } from './decorators';

export interface AuthenticatedRequest {
  headers: Record<string, string | string[] | undefined>;
  actor?: Actor;
  apiKey?: Pick<ApiKeyRecord, 'name' | 'roles'>;
}

/** The role a key acts in for a route: the first of its roles the route accepts, admin for anything. */
export function actingRole(
  keyRoles: readonly Role[],
  required: readonly Role[] | undefined,
): Role | undefined {
  if (!required || required.length === 0) return keyRoles[0];
  return keyRoles.find((r) => required.includes(r)) ?? (keyRoles.includes('admin') ? 'admin' : undefined);
}

/** Global guard: 401 without a valid key (unless @Public), 403 when the key lacks the route's @Roles. */
@Injectable()
export class ApiKeyGuard implements CanActivate, OnModuleInit {
  private readonly logger = new Logger('Auth');

  constructor(
    private readonly keys: ApiKeyStore,
    private readonly reflector: Reflector,
    @Inject(PLATFORM_OPTIONS) private readonly options: { serviceName: string },
  ) {}

  onModuleInit(): void {
    if (this.keys.development) {
      this.logger.warn(
        'API_KEYS is not set: the development keys (dev-monitor, dev-stakeholder, dev-auditor, dev-admin) are accepted',
      );
    }
  }

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;

    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = bearerToken(req.headers.authorization);
    if (!token) throw new UnauthorizedProblem();
    const record = this.keys.find(token);
    if (!record) {
      const res = context.switchToHttp().getResponse<{ setHeader(name: string, value: string): void }>();
      res.setHeader('WWW-Authenticate', `Bearer realm="${this.options.serviceName}", error="invalid_token"`);
      throw new UnauthorizedProblem('The API key is not valid.');
    }

    const required = this.reflector.getAllAndOverride<Role[] | undefined>(REQUIRED_ROLES, targets) ?? [];
    const role = actingRole(record.roles, required);
    if (!role) throw new ForbiddenProblem(`This route requires one of the roles: ${required.join(', ')}.`);
    req.apiKey = { name: record.name, roles: record.roles };
    req.actor = { id: record.name, role };
    return true;
  }
}
