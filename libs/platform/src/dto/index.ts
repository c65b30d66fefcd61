export { IsCalendarDate, IsOmittable, IsBusinessTime, BusinessTimeBody, WithBusinessTime, CorrectionBodyOf, TwoClocksQuery, AsOfQuery, AsOfAnswer, twoClocksOf, EventsQuery, CursorQuery, CursorQueryOf, CursorPageOf, ApiDateOrDateTime, Cursor } from './common';
export { ArchivedCopyDto, SourcingDto } from './evidence';
