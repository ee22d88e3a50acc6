print("csi-controller: not built yet")
