/** Shapes of the API answers the web apps read (see GET /openapi.json). */

export type Status =
  | 'submitted'
  | 'accepted'
  | 'dispatched'
  | 'in_progress'
  | 'waiting_on_resident'
  | 'resolved'
  | 'closed'
  | 'referred'
  | 'duplicate'
  | 'not_actionable'
  | 'cancelled';

export type Urgency = 'critical' | 'high' | 'normal' | 'low';

export type Action =
  | 'accept'
  | 'dispatch'
  | 'reject'
  | 'start'
  | 'resolve'
  | 'confirm'
  | 'reopen'
  | 'wait'
  | 'resume'
  | 'transfer'
  | 'refer'
  | 'merge'
  | 'dismiss'
  | 'cancel';

export interface CommunityRef {
  id: string;
  code: string;
  name: string;
  nameEn: string;
}

export interface Me {
  id: string;
  kind: string;
  role: string;
  name: string;
  username?: string;
  phone?: string;
  householdId?: string | null;
  gridIds?: string[];
  /** Staff whose password someone else set: the API serves them nothing else until they set their own. */
  mustChangePassword?: boolean;
  communities: CommunityRef[];
}

export interface Contacts {
  hotline: string;
  windowAddress: string;
  windowHours: string;
  wechat: string;
}

export interface Community extends CommunityRef {
  center: { lat: number; lng: number };
  contacts: Contacts;
}

export interface Directory {
  community: { id: string; name: string; nameEn: string };
  contacts: Contacts;
  myGridWorker: { name: string; phone: string | null; grid: string } | null;
}

export interface Category {
  code: string;
  parent: string | null;
  nameZh: string;
  nameEn: string;
  private: boolean;
}

export interface LatLng {
  lat: number;
  lng: number;
}

export interface TimelineEvent {
  id: string;
  type: string;
  fromStatus: string | null;
  toStatus: string | null;
  actor: { type: string; name: string | null };
  note: string | null;
  visibility: 'public' | 'internal';
  data: Record<string, unknown> | null;
  at: string;
}

export interface Photo {
  id: string;
  contentType: string;
  size: number;
  url: string;
}

export interface WorkOrder {
  id: string;
  number: string;
  communityId: string;
  gridId: string | null;
  channel: string;
  status: Status;
  category: string;
  subcategory: string | null;
  urgency: Urgency;
  priority: string;
  /** null for viewers who may not see special groups (their weight is part of it) */
  priorityScore: number | null;
  description: string;
  address: string | null;
  location: LatLng | null;
  reporter: { type: string; id: string | null; name: string | null; phone: string | null };
  beneficiary: { id: string; name: string; phone: string | null; tags: string[] | null } | null;
  proxy: boolean;
  assignee: { id: string; name: string; role: string } | null;
  resolutionNote: string | null;
  rating: number | null;
  ratingComment: string | null;
  closureReason: string | null;
  referredTo: string | null;
  mergedInto: string | null;
  reopenCount: number;
  classification: Record<string, unknown> | null;
  attributes: Record<string, unknown> | null;
  version: number;
  createdAt: string;
  updatedAt: string;
  acceptedAt: string | null;
  dispatchedAt: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
  allowedActions: Action[];
  timeline?: TimelineEvent[];
  photos?: Photo[];
  /** Present once the SLA module publishes deadlines on orders. */
  sla?: Record<string, unknown> | null;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface ResidentView {
  id: string;
  communityId: string;
  householdId: string | null;
  /** When the resident joined the household (null: none). */
  householdSince: string | null;
  name: string;
  phone: string | null;
  idNumber: string | null;
  birthYear: number | null;
  tags: string[] | null;
  tagsConsent: boolean | null;
  emergencyContact: { name: string | null; phone: string | null } | null;
  /** How the resident likes to hear back (`inapp`, `sms`, `wechat`, or a channel set elsewhere). */
  preferredChannel: string | null;
  /** When the record last changed: sent back with a change, which is refused when it is stale. */
  updatedAt: string;
  /** When the record's personal data was erased (a tombstone); null otherwise. */
  erasedAt?: string | null;
}

export interface ResidentDetail extends ResidentView {
  household: {
    id: string;
    address: string;
    gridId: string | null;
    location: LatLng | null;
    members: ResidentView[];
  } | null;
  recentOrders?: RecentOrder[];
}

export interface RecentOrder {
  id: string;
  number: string;
  status: Status;
  category: string;
  urgency: string;
  description: string;
  createdAt: string;
}

export interface GridFeature {
  type: 'Feature';
  id: string;
  properties: { id: string; code: string; name: string; workers: { id: string; name: string }[] };
  geometry: { type: 'Polygon' | 'MultiPolygon'; coordinates: number[][][] | number[][][][] };
}

export interface GridCollection {
  type: 'FeatureCollection';
  features: GridFeature[];
}

export interface PhotoUpload {
  contentType: string;
  dataBase64: string;
}

export interface NewOrder {
  channel: 'web' | 'miniapp' | 'hotline' | 'window';
  description: string;
  communityId?: string;
  residentId?: string;
  reporter?: { name?: string; phone?: string; relation?: string };
  location?: LatLng;
  address?: string;
  category?: string;
  urgency?: Urgency;
  photos?: PhotoUpload[];
}
