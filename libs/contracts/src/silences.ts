/**
 * A silence as the alerts service answers it (`/silences`): a stakeholder's hold on the deliveries of one of its
 * subscriptions, or of one agreement in all of them, until a date, with a comment (Alertmanager's silences).
 */
export interface SilenceView {
  id: string;
  owner: string;
  subscriptionId?: string;
  agreementId?: string;
  until: string;
  /** When it ends or ended: `until`, or earlier if expired. */
  endsAt: string;
  /** Holding now. */
  active: boolean;
  comment: string;
  createdAt: string;
  createdBy: string;
  expiredAt?: string;
  expiredBy?: string;
}
