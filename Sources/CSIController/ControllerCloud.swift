import CloudAPI
import CSIDriver

/// What the controller service needs from the cloud: volumes, their snapshots and the instances
/// they attach to. `VultrClient` provides all three; tests hand in the same client pointed at an
/// in-process local cloud.
public typealias ControllerCloud = BlockStorage & BlockSnapshots & Instances
