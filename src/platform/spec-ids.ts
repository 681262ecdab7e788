// Connection and flow spec ids of the dataset-export destinations (reference section 3). They are
// global across orgs and sandboxes.

export type DestinationKind = 's3' | 'azureBlob' | 'adlsGen2' | 'dataLandingZone' | 'gcs' | 'sftp';

export interface DestinationSpec {
  connectionSpecId: string;
  /** Flow spec for dataset exports (audience exports use others). */
  datasetFlowSpecId: string;
}

export const DESTINATION_SPECS: Readonly<Record<DestinationKind, DestinationSpec>> = {
  s3: { connectionSpecId: '4fce964d-3f37-408f-9778-e597338a21ee', datasetFlowSpecId: '269ba276-16fc-47db-92b0-c1049a3c131f' },
  azureBlob: { connectionSpecId: '6d6b59bf-fb58-4107-9064-4d246c0e5bb2', datasetFlowSpecId: '95bd8965-fc8a-4119-b9c3-944c2c2df6d2' },
  adlsGen2: { connectionSpecId: 'be2c3209-53bc-47e7-ab25-145db8b873e1', datasetFlowSpecId: '17be2013-2549-41ce-96e7-a70363bec293' },
  dataLandingZone: { connectionSpecId: '10440537-2a7b-4583-ac39-ed38d4b848e8', datasetFlowSpecId: 'cd2fc47e-e838-4f38-a581-8fff2f99b63a' },
  gcs: { connectionSpecId: 'c5d93acb-ea8b-4b14-8f53-02138444ae99', datasetFlowSpecId: '585c15c4-6cbf-4126-8f87-e26bff78b657' },
  sftp: { connectionSpecId: '36965a81-b1c6-401b-99f8-22508f1e6a26', datasetFlowSpecId: '354d6aad-4754-46e4-a576-1b384561c440' },
};

/** The Data Lake source ("activation-datalake") every dataset export reads from. */
export const DATA_LAKE_SOURCE_SPEC_ID = '23598e46-f560-407b-88d5-ea6207e49db0';

/** Accept header the ad hoc dataset run requires. */
export const ADHOC_DATASET_ACCEPT = 'application/vnd.adobe.adhoc.dataset.activation+json; version=1';
