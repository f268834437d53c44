/**
 * Attribute names of the OCSF 1.6.0 objects the report writes, and their required attributes,
 * as the schema defines them (ocsf/ocsf-schema, tag 1.6.0: each object with what it extends and,
 * for the two classes, the `cloud` and `datetime` profiles the events declare). The OCSF test
 * walks every event against this table, so a misspelt or invented attribute fails.
 */
export interface OcsfObject {
  readonly attributes: ReadonlySet<string>;
  readonly required: readonly string[];
}

const words = (text: string): string[] => text.split(/\s+/).filter((word) => word !== '');

const object = (attributes: string, required: string): OcsfObject => ({
  attributes: new Set(words(attributes)),
  required: words(required),
});

export const OCSF_1_6_0: Readonly<Record<string, OcsfObject>> = {
  detection_finding: object(
    `
    activity_id activity_name anomaly_analyses api category_name category_uid class_name class_uid
    cloud comment confidence confidence_id confidence_score count device duration end_time
    enrichments evidences finding_info impact impact_id impact_score is_alert malware
    malware_scan_info message metadata observables raw_data raw_data_hash raw_data_size remediation
    resources risk_details risk_level risk_level_id risk_score severity severity_id start_time
    status status_code status_detail status_id time timezone_offset type_name type_uid unmapped
    vendor_attributes vulnerabilities
    `,
    'activity_id category_uid class_uid cloud finding_info metadata severity_id time type_uid',
  ),
  compliance_finding: object(
    `
    activity_id activity_name api category_name category_uid class_name class_uid cloud comment
    compliance confidence confidence_id confidence_score count device duration end_time enrichments
    evidences finding_info message metadata observables raw_data raw_data_hash raw_data_size
    remediation resource resources severity severity_id start_time status status_code status_detail
    status_id time timezone_offset type_name type_uid unmapped vendor_attributes
    `,
    'activity_id category_uid class_uid cloud compliance finding_info metadata severity_id time type_uid',
  ),
  metadata: object(
    `
    correlation_uid debug event_code extension extensions is_truncated labels log_level log_name
    log_provider log_version logged_time loggers modified_time original_time processed_time product
    profiles sequence tags tenant_uid transformation_info_list uid untruncated_size version
    `,
    'product version',
  ),
  product: object(
    `
    cpe_name feature lang name path uid url_string vendor_name version
    `,
    '',
  ),
  feature: object(
    `
    name uid version
    `,
    '',
  ),
  cloud: object(
    `
    account cloud_partition org project_uid provider region zone
    `,
    'provider',
  ),
  account: object(
    `
    labels name tags type type_id uid
    `,
    '',
  ),
  finding_info: object(
    `
    analytic attack_graph attacks created_time data_sources desc first_seen_time kill_chain
    last_seen_time modified_time product product_uid related_analytics related_events
    related_events_count src_url tags title traits types uid uid_alt
    `,
    'uid',
  ),
  analytic: object(
    `
    algorithm category desc name related_analytics state state_id type type_id uid version
    `,
    'type_id',
  ),
  resource_details: object(
    `
    agent_list cloud_partition created_time criticality data group hostname ip is_backed_up labels
    modified_time name namespace owner region resource_relationship role role_id tags type uid
    uid_alt version zone
    `,
    '',
  ),
  remediation: object(
    `
    cis_controls desc kb_article_list kb_articles references
    `,
    'desc',
  ),
  compliance: object(
    `
    assessments category checks compliance_references compliance_standards control
    control_parameters desc requirements standards status status_code status_detail status_details
    status_id
    `,
    '',
  ),
  device: object(
    `
    agent_list autoscale_uid boot_time boot_uid created_time desc domain eid first_seen_time groups
    hostname hw_info hypervisor iccid image imei imei_list instance_uid interface_name interface_uid
    ip is_backed_up is_compliant is_managed is_mobile_account_active is_personal is_shared
    is_supervised is_trusted last_seen_time location mac meid model modified_time name
    network_interfaces org os os_machine_uuid owner region risk_level risk_level_id risk_score
    subnet subnet_uid type type_id udid uid uid_alt vendor_name vlan_uid vpc_uid zone
    `,
    'type_id',
  ),
  os: object(
    `
    build country cpe_name cpu_bits edition kernel_release lang name sp_name sp_ver type type_id
    version
    `,
    'name type_id',
  ),
  evidences: object(
    `
    actor api connection_info container data database databucket device dst_endpoint email file
    http_request http_response ja4_fingerprint_list job name process query resources script
    src_endpoint tls uid url user verdict verdict_id
    `,
    '',
  ),
  actor: object(
    `
    app_name app_uid authorizations idp invoked_by process session user
    `,
    '',
  ),
  user: object(
    `
    account credential_uid display_name domain email_addr forward_addr full_name groups has_mfa
    ldap_person name org phone_number programmatic_credentials risk_level risk_level_id risk_score
    type type_id uid uid_alt
    `,
    '',
  ),
  api: object(
    `
    group operation request response service version
    `,
    'operation',
  ),
  service: object(
    `
    labels name tags uid version
    `,
    '',
  ),
};
