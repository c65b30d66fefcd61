/**
 * Running a command from a form: one request, its field messages kept for the form, the affected queries
 * refreshed after success. A 409 / 412 (someone else changed the record) is shown with an offer to reload.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useState } from 'react';
import { ApiError, call, type CallOptions, type Service } from './client';
import type { FieldErrors } from '../lib/forms';

export function useCommand() {
  const queries = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [fields, setFields] = useState<FieldErrors>({});

  const run = useCallback(
    async <T>(
      service: Service,
      path: string,
      options: CallOptions,
    ): Promise<{ data: T; location: string | null } | null> => {
      setBusy(true);
      setError(null);
      setFields({});
      try {
        const res = await call<T>(service, path, options);
        await queries.invalidateQueries();
        return { data: res.data, location: res.location };
      } catch (err) {
        setError(err);
        if (err instanceof ApiError) setFields(err.fields);
        return null;
      } finally {
        setBusy(false);
      }
    },
    [queries],
  );
  const reload = useCallback(() => {
    setError(null);
    setFields({});
    void queries.invalidateQueries();
  }, [queries]);
  return { run, busy, error, fields, reload };
}
