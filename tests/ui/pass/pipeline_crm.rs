mod pipeline_crm {
    miniapp::include_miniapp!("../../../examples/definitions/pipeline-crm.json", deny_warnings);
}

fn main() {
    assert_eq!(pipeline_crm::NS, "pipeline-crm");
}
