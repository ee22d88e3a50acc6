print("localcloud: not built yet")
