/**
 * The code lists pickers offer: countries (every ISO 3166-1 alpha-2 code, by the same validator the services use,
 * so the UI offers exactly what the API accepts), commodities (the agreements service's list), and the contracts'
 * milestone types, agreement kinds and alert kinds.
 */
import { useQuery } from '@tanstack/react-query';
import isISO31661Alpha2 from 'validator/es/lib/isISO31661Alpha2';
import { get } from '../api/client';
import { countryName } from './format';

const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
export const countryCodes: string[] = [...letters]
  .flatMap((a) => [...letters].map((b) => a + b))
  .filter((code) => isISO31661Alpha2(code))
  .sort((a, b) => countryName(a).localeCompare(countryName(b)));

export function useCodeLists() {
  const commodities = useQuery({
    queryKey: ['agreements', '/agreements/commodities'],
    queryFn: ({ signal }) => get<{ items: string[] }>('agreements', '/agreements/commodities', signal),
    staleTime: Infinity,
  });
  return { countries: countryCodes, commodities: commodities.data?.items ?? [] };
}
