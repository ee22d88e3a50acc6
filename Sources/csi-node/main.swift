print("csi-node: not built yet")
