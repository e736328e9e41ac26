import ArgumentParser
import Hub
import Logging

/// Options naming a hub's configuration, shared by `serve` and the commands that work on
/// its data directory (`token`, `keys create`), so all of them find the same directory:
/// the defaults, then the `--config` file, then `SWITCHBOARD_*` variables, then `--data`.
struct HubConfigurationOptions: ParsableArguments {
    @Option(help: "A JSON configuration file.")
    var config: String?

    @Option(help: "Data directory for the SQLite file and the secret (default: $SWITCHBOARD_DATA, else the config file's dataDirectory, else ./data).")
    var data: String?

    /// The configuration `HubConfiguration.load` makes of the file and the environment,
    /// with `--data` applied last.
    func load(logger: Logger) throws -> HubConfiguration {
        var configuration = try HubConfiguration.load(file: config, logger: logger)
        if let data { configuration.dataDirectory = data }
        return configuration
    }
}
