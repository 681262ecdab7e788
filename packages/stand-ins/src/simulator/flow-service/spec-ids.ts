// The real Platform ids of the connection and flow specs of dataset exports (reference section 3).
// They are global across orgs and sandboxes.

export const DESTINATION_KEYS = ['s3', 'azureBlob', 'adlsGen2', 'dataLandingZone', 'gcs', 'sftp'] as const;
export type DestinationKey = (typeof DESTINATION_KEYS)[number];

export interface DestinationSpecIds {
  connectionSpecId: string;
  /** Flow spec of dataset export flows to this destination. */
  flowSpecId: string;
}

export const DESTINATION_SPEC_IDS: Record<DestinationKey, DestinationSpecIds> = {
  s3: { connectionSpecId: '4fce964d-3f37-408f-9778-e597338a21ee', flowSpecId: '269ba276-16fc-47db-92b0-c1049a3c131f' },
  azureBlob: { connectionSpecId: '6d6b59bf-fb58-4107-9064-4d246c0e5bb2', flowSpecId: '95bd8965-fc8a-4119-b9c3-944c2c2df6d2' },
  adlsGen2: { connectionSpecId: 'be2c3209-53bc-47e7-ab25-145db8b873e1', flowSpecId: '17be2013-2549-41ce-96e7-a70363bec293' },
  dataLandingZone: { connectionSpecId: '10440537-2a7b-4583-ac39-ed38d4b848e8', flowSpecId: 'cd2fc47e-e838-4f38-a581-8fff2f99b63a' },
  gcs: { connectionSpecId: 'c5d93acb-ea8b-4b14-8f53-02138444ae99', flowSpecId: '585c15c4-6cbf-4126-8f87-e26bff78b657' },
  sftp: { connectionSpecId: '36965a81-b1c6-401b-99f8-22508f1e6a26', flowSpecId: '354d6aad-4754-46e4-a576-1b384561c440' },
};

/** Source connection spec of exports from the data lake (named `activation-datalake`). */
export const DATA_LAKE_SOURCE_SPEC_ID = '23598e46-f560-407b-88d5-ea6207e49db0';
export const DATA_LAKE_SOURCE_SPEC_NAME = 'activation-datalake';

/** Source connection spec of audience activation: the Profile Store (same id in every org). */
export const PROFILE_STORE_SOURCE_SPEC_ID = '8a9c3494-9708-43d7-ae3f-cda01e5030e1';

/** Provider id shared by all these specs. */
export const DESTINATION_PROVIDER_ID = '14e34fac-d307-11e9-bb65-2a2ae2dbcce4';

export function destinationByConnectionSpec(connectionSpecId: string): DestinationKey | undefined {
  return DESTINATION_KEYS.find((key) => DESTINATION_SPEC_IDS[key].connectionSpecId === connectionSpecId);
}

export function destinationByFlowSpec(flowSpecId: string): DestinationKey | undefined {
  return DESTINATION_KEYS.find((key) => DESTINATION_SPEC_IDS[key].flowSpecId === flowSpecId);
}

export const DESTINATION_CONNECTION_SPEC_IDS: string[] = DESTINATION_KEYS.map((key) => DESTINATION_SPEC_IDS[key].connectionSpecId);
