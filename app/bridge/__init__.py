"""The connector DLL bridge: ask a connector what Microsoft's wizard asks it (docs/connector-dll.md).

No Qt here. The DLL runs in a child process (app/bridge/worker.py) started once per DLL and reused;
its Console output never reaches the protocol. API for the wizard (blocking calls: run them on a
worker thread; `cancel()` is safe from the GUI thread):

    from app.bridge import locate
    from app.bridge.session import ConnectorSession, PAGES
    from app.bridge.errors import BridgeError          # a UserError: .sentence(), .kind (BridgeErrorKind), .call

    library = locate.user_named(path, host_layout)     # or locate.configured(library_name, host)
    library.note(host_layout)                          # '' or notes: outside the host, marked, on a share
    s = ConnectorSession(library, timeout=15, schema_timeout=120)
    page = s.ask_page("Connectivity")                  # PageAnswer(page, number, parameters)
    for d in page.parameters:                          # ParameterDefinition: name, type, default
        ...                                            #   (as stored: CheckBox "1"/"0"), choices,
                                                       #   extensible, validation, text, secret
    s.set_value("Server", "sql01"); s.set_secret("Password", pw)
    s.validate_page("Connectivity")                    # Validation(ok, message, parameter, by_connector)
    s.ask_page("Capabilities"); caps = s.ask_capabilities()   # dict of MACapabilities, or None
    schema_pages = s.ask_schema_pages()                # Schema 1..n, until the DLL has no more
    s.ask_page("Global"); s.ask_page("Partition"); s.ask_page("RunStep")
    if s.supports("SupportPartitions"): s.ask_partitions()   # [{"id", "dn", "name"}]
    if s.supports("SupportHierarchy"): s.ask_hierarchy(parent=None)  # [{"dn", "name"}]
    schema = s.ask_schema()                            # {"types": [{"name", "locked", "anchors",
                                                       #   "attributes": [{"name", "type", ...}]}]}
    s.begin()                                          # a user operation starts (GUI thread, before its
                                                       #   work is handed to another thread)
    s.cancel()                                         # from another thread: the call raises
                                                       #   BridgeError(kind=BridgeErrorKind.CANCELLED),
                                                       #   and so does every later one until begin()
    s.close()                                          # ends the worker (os._exit inside)

Every call passes all values of the pages asked so far (defaults where untouched). Ask a page again
whenever an earlier answer changed: its definitions may depend on it. A failure of any kind is a
BridgeError whose sentence names the connector and the .NET message (kind: a BridgeErrorKind,
failed, crashed, timed out, cancelled or unavailable); the next call starts a fresh worker when the last one died.
The wizard drives a session through app/wizard/dll_pages.py (new and existing connectors, the
schema as the refresh diff's source), in the order app/wizard/dll_runner.py decides.
`app.bridge.walk.walk(session)` asks every page in order (what `connector inspect` prints; the
pages before a failing call are kept with the failure) and
`app.bridge.newconnector.connector_element` turns the answers into a new <Connector> with the
warnings of app/bridge/capabilities.py.
"""
