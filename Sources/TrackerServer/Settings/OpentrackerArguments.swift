import TrackerProtocol

/// opentracker's command line (`getopt ":i:p:A:P:d:u:r:s:f:l:v" + w:|b: + h` in opentracker.c `main`)
/// rewritten into RingTracker's long flags before they are parsed, so an existing `ExecStart=` line
/// or script starts RingTracker unchanged. Long flags pass through untouched; both can be mixed.
///
/// | opentracker | becomes |
/// |---|---|
/// | `-f FILE` | `--config FILE` |
/// | `-i IP` | the address for the following `-p`/`-P`/`-s` (none given: `0.0.0.0` and `[::]`, which is what opentracker's dual-stack `::` serves) |
/// | `-p PORT` / `-P PORT` | `--http IP:PORT` / `--udp IP:PORT` |
/// | `-A NET` | `--stats-allow NET --trusted-proxy NET` (opentracker blesses `-A` for everything) |
/// | `-r URL` | `--redirect-url URL` |
/// | `-d DIR` / `-u USER` | `--rootdir DIR` / `--user USER` |
/// | `-w FILE` / `-b FILE` | `--whitelist FILE` / `--blacklist FILE` |
/// | `-s PORT` | `--livesync-listen IP:PORT` (cluster sync) |
/// | `-l FILE` | `--import-statedump FILE` |
/// | `-v` / `-h` | `--version` / `--help` |
///
/// getopt's attached form (`-p6969`) is accepted too. A value after a long option that takes one is
/// never rewritten (`--config -f` names a file called `-f`).
public enum OpentrackerArguments {
    /// Long options that take no value (the daemon's `@Flag`s, and help): the token after them may
    /// itself be an opentracker flag.
    static let longFlagsWithoutValue: Set<String> = [
        "--no-pin", "--metrics-public", "--cluster-insecure", "--help", "--version", "-h",
    ]

    public static func translate(_ arguments: [String]) throws(SettingError) -> [String] {
        var output: [String] = []
        var address: String?
        var index = 0
        func value(_ flag: Character, _ token: String) throws(SettingError) -> String {
            if token.count > 2 { return String(token.dropFirst(2)) }
            index += 1
            guard index < arguments.count else { throw SettingError("-\(flag): missing value") }
            return arguments[index]
        }
        func port(_ flag: Character, _ text: String) throws(SettingError) -> String {
            guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let number = UInt16(text) else {
                throw SettingError("-\(flag): '\(text)' is not a port number")
            }
            return String(number)
        }
        func listeners(_ port: String) -> [String] {
            guard let address else { return ["0.0.0.0:\(port)", "[::]:\(port)"] }
            return [address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)"]
        }
        while index < arguments.count {
            let token = arguments[index]
            if token == "--" {
                output += arguments[index...]
                break
            }
            if token.hasPrefix("--") {
                output.append(token)
                if !token.contains("="), !longFlagsWithoutValue.contains(token), index + 1 < arguments.count {
                    index += 1
                    output.append(arguments[index])
                }
                index += 1
                continue
            }
            guard token.hasPrefix("-"), token.count >= 2 else {
                output.append(token)
                index += 1
                continue
            }
            let flag = token[token.index(after: token.startIndex)]
            switch flag {
            case "f": output += ["--config", try value(flag, token)]
            case "i":
                let text = try value(flag, token)
                if let v4 = IPAddressText.ipv4Bytes(text) {
                    address = IPAddressText.formatIPv4(v4)
                } else if let v6 = IPAddressText.ipv6Bytes(text) {
                    address = IPAddressText.formatIPv6(v6)
                } else {
                    throw SettingError("-i: '\(text)' is not an IPv4 or IPv6 address")
                }
            case "p":
                let port = try port(flag, try value(flag, token))
                for listener in listeners(port) { output += ["--http", listener] }
            case "P":
                let port = try port(flag, try value(flag, token))
                for listener in listeners(port) { output += ["--udp", listener] }
            case "s":
                let port = try port(flag, try value(flag, token))
                output += ["--livesync-listen", "\(address.map { $0.contains(":") ? "[\($0)]" : $0 } ?? "0.0.0.0"):\(port)"]
            case "A":
                let network = try value(flag, token)
                output += ["--stats-allow", network, "--trusted-proxy", network]
            case "r": output += ["--redirect-url", try value(flag, token)]
            case "d": output += ["--rootdir", try value(flag, token)]
            case "u": output += ["--user", try value(flag, token)]
            case "w": output += ["--whitelist", try value(flag, token)]
            case "b": output += ["--blacklist", try value(flag, token)]
            case "l": output += ["--import-statedump", try value(flag, token)]
            case "v" where token.count == 2: output.append("--version")
            case "h" where token.count == 2: output.append("--help")
            default:
                throw SettingError("unknown option '\(token)'; see --help")
            }
            index += 1
        }
        return output
    }
}
