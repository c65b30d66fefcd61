export { IsCalendarDate, IsBusinessTime, BusinessTimeBody, WithBusinessTime, TwoClocksQuery, AsOfQuery, twoClocksOf, EventsQuery, CursorQuery, CursorQueryOf, Cursor } from './common';
