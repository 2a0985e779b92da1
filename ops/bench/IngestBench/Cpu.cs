using System.Globalization;

namespace Ngrtc.Audit.Bench;

/// <summary>
/// CPU seconds used between two snapshots, from /proc: the service process, this driver, PostgreSQL
/// (every process named postgres, i.e. also other clients' backends on a shared cluster), RabbitMQ
/// (beam.smp) and the whole machine. A process that exits between the snapshots is not counted.
/// </summary>
public sealed class CpuSnapshot
{
    private static readonly double TicksPerSecond = 100.0; // USER_HZ is 100 on Linux x86-64

    private readonly Dictionary<int, (string Comm, long Ticks)> _processes;
    private readonly long _machineBusy;
    private readonly long _machineTotal;

    private CpuSnapshot(Dictionary<int, (string, long)> processes, long machineBusy, long machineTotal)
    {
        _processes = processes;
        _machineBusy = machineBusy;
        _machineTotal = machineTotal;
    }

    public static CpuSnapshot Take()
    {
        var processes = new Dictionary<int, (string, long)>();
        if (!OperatingSystem.IsLinux())
        {
            return new CpuSnapshot(processes, 0, 0);
        }

        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var open = stat.IndexOf('(');
                var close = stat.LastIndexOf(')');
                var comm = stat[(open + 1)..close];
                var fields = stat[(close + 2)..].Split(' ');
                // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
                processes[pid] = (comm, long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture));
            }
            catch (IOException)
            {
                // gone meanwhile
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        // user nice system idle iowait irq softirq steal guest guest_nice: busy = all but idle and iowait (guest is inside user).
        var total = cpu.Take(8).Sum();
        var busy = total - cpu[3] - cpu[4];
        return new CpuSnapshot(processes, busy, total);
    }

    /// <summary>CPU seconds per group between <paramref name="start"/> and this snapshot.</summary>
    public Dictionary<string, double> Since(CpuSnapshot start, int? servicePid)
    {
        var self = Environment.ProcessId;
        var groups = new Dictionary<string, double> { ["service"] = 0, ["driver"] = 0, ["postgres"] = 0, ["rabbitmq"] = 0, ["other"] = 0 };
        foreach (var (pid, (comm, ticks)) in _processes)
        {
            var before = start._processes.TryGetValue(pid, out var s) && s.Comm == comm ? s.Ticks : 0;
            var seconds = (ticks - before) / TicksPerSecond;
            var group = pid == servicePid ? "service"
                : pid == self ? "driver"
                : comm.StartsWith("postgres", StringComparison.Ordinal) ? "postgres"
                : comm.StartsWith("beam", StringComparison.Ordinal) ? "rabbitmq"
                : "other";
            groups[group] += seconds;
        }

        groups["machine"] = (_machineBusy - start._machineBusy) / TicksPerSecond;
        groups["machine_capacity"] = (_machineTotal - start._machineTotal) / TicksPerSecond;
        return groups;
    }
}
