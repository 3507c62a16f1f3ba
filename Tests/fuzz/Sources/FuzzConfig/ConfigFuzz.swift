import FuzzSupport
import TrackerIO
@testable import TrackerServer

/// A config file in opentracker.conf syntax (`ConfigurationFile`), with every value parser it
/// reaches (listen addresses, CIDRs, CPU lists, numbers, flags), and the same words as an
/// opentracker command line (`OpentrackerArguments`).
///
/// Checked: a refused file names this file and a line that exists; an accepted file's effective
/// configuration (`--check-config`'s output, documented to be a valid config file yielding the same
/// settings) reads back to equal settings and prints identically again; every network prints in a
/// form that parses to itself; a CPU list the file accepts is one the daemon can parse; translated
/// opentracker flags are all long flags or values.
enum ConfigFuzz {
    static func run(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }).count
        do {
            let file = try ConfigurationFile(parsing: text, fileName: "fuzz.conf")
            for warning in file.warnings { invariant(warning.hasPrefix("fuzz.conf:"), "warning without its file: \(warning)") }
            checkRoundTrip(file.settings)
            checkValues(file.settings)
            _ = try? file.settings.validate()
        } catch {
            invariant(error.file == "fuzz.conf" && (1...max(lines, 1)).contains(error.line) && !error.message.isEmpty,
                      "error \(error) points outside the \(lines)-line file")
        }
        checkArguments(text)
    }

    static func checkRoundTrip(_ settings: DaemonSettings) {
        let description = settings.effectiveDescription()
        let reread: DaemonSettings
        do {
            reread = try ConfigurationFile(parsing: description, fileName: "effective").settings
        } catch {
            return invariant(false, "the effective configuration does not read back: \(error)\n\(description)")
        }
        // Defaults print as explicit lines, which read back as named listeners and networks.
        var normalised = reread
        if !settings.udpListenersNamed { normalised.udpListenersNamed = false }
        if !settings.httpListenersNamed { normalised.httpListenersNamed = false }
        if !settings.statsAllowNamed { normalised.statsAllowNamed = false }
        invariant(normalised == settings, "the effective configuration reads back as other settings:\n\(description)")
        invariant(normalised.effectiveDescription() == description, "the effective configuration prints differently when read back")
    }

    static func checkValues(_ settings: DaemonSettings) {
        let networks = settings.statsAllow + settings.trustedProxies + settings.livesyncNodes + settings.decoyRanges
        for network in networks {
            invariant(CIDR(network.description) == network, "\(network) does not parse to itself")
        }
        let listeners = settings.udpListeners + settings.httpListeners + settings.clusterNodes
            + [settings.livesyncListen, settings.clusterStateFrom].compactMap { $0 }
        for listener in listeners {
            invariant(ListenAddress.normalise(listener) == listener, "listener \(listener) is not in normal form")
        }
        if let cpus = settings.cpus {
            do {
                _ = try CPUSet.parse(cpus)
            } catch {
                // The file checks the syntax; which CPUs exist is checked at start-up.
                let reason = (error as? CPUSetParseError)?.reason ?? "\(error)"
                invariant(reason.contains("is above"), "cpus \(cpus) accepted by the file, refused at start: \(error)")
            }
        }
    }

    /// The daemon's long options that take no value (its `@Flag`s, Sources/ringtracker/main.swift).
    static let valuelessFlags: Set<String> = ["--help", "--version", "--no-pin", "--metrics-public", "--cluster-insecure"]
    /// opentracker's short options (`getopt ":i:p:A:P:d:u:r:s:f:l:v"`, `-w`/`-b`, `-h`).
    static let opentrackerLetters = Set("ipAPdursflvwbh")

    /// The words of the input as an opentracker command line (at most 64 of them): whatever the
    /// mix, no opentracker option may reach the daemon's parser untranslated (it would be refused
    /// there as unknown). A word after a long option that takes a value is that value, and a word
    /// after `--` is not an option.
    static func checkArguments(_ text: String) {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).prefix(64).map(String.init)
        guard let translated = try? OpentrackerArguments.translate(words) else { return }
        var index = 0
        while index < translated.count {
            let word = translated[index]
            if word == "--" { break }
            if word.hasPrefix("--") {
                index += word.contains("=") || valuelessFlags.contains(word) ? 1 : 2
                continue
            }
            if word.hasPrefix("-"), word.count >= 2, opentrackerLetters.contains(word[word.index(after: word.startIndex)]) {
                invariant(false, "opentracker option \(word) left untranslated in \(translated) (from \(words))")
            }
            index += 1
        }
    }
}
