using Ngrtc.Audit.Projections;
using Ngrtc.Audit.Service.Registers;

namespace Ngrtc.Audit.UnitTests;

public class PeriodRangeTests
{
    private static DateOnly D(string day) => DateOnly.Parse(day, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>How many times each day counts once the ranges are read: months expand to their days, signs add up.</summary>
    private static Dictionary<DateOnly, int> Counted(IEnumerable<PeriodRange> ranges)
    {
        var counted = new Dictionary<DateOnly, int>();
        foreach (var r in ranges)
        {
            var last = !r.Months ? r.To : r.To == AuditRegisters.MonthOf(DateOnly.MaxValue) ? DateOnly.MaxValue : r.To.AddMonths(1).AddDays(-1);
            for (var n = r.From.DayNumber; n <= last.DayNumber; n++)
            {
                var d = DateOnly.FromDayNumber(n);
                counted[d] = counted.GetValueOrDefault(d) + r.Sign;
            }
        }

        return counted.Where(c => c.Value != 0).ToDictionary();
    }

    [Fact]
    public void every_day_of_a_period_counts_once_and_no_other_day()
    {
        var start = D("2026-01-25");
        for (var first = 0; first < 80; first += 3)
        {
            for (var length = 0; length < 100; length += 4)
            {
                var from = start.AddDays(first);
                var to = from.AddDays(length);
                var ranges = PeriodRange.Of(from, to);
                var counted = Counted(ranges);
                counted.Keys.Order().ShouldBe(Enumerable.Range(0, length + 1).Select(i => from.AddDays(i)), $"{from}..{to}");
                counted.Values.ShouldAllBe(n => n == 1);
                ranges.Where(r => r.Months).ShouldAllBe(r => r.From.Day == 1 && r.To.Day == 1 && r.Sign == 1);
                ranges.Count(r => r.Months).ShouldBeLessThanOrEqualTo(1);
            }
        }
    }

    [Fact]
    public void a_month_covered_in_part_is_read_the_cheaper_way()
    {
        // Whole months only.
        PeriodRange.Of(D("2026-10-01"), D("2026-11-30")).ShouldBe([new PeriodRange(true, D("2026-10-01"), D("2026-11-01"), 1)]);

        // The last 30 days on 2026-11-27: three days of October, and November less the three days to come.
        PeriodRange.Of(D("2026-10-29"), D("2026-11-27")).ShouldBe(
        [
            new PeriodRange(true, D("2026-11-01"), D("2026-11-01"), 1),
            new PeriodRange(false, D("2026-10-29"), D("2026-10-31"), 1),
            new PeriodRange(false, D("2026-11-28"), D("2026-11-30"), -1),
        ]);

        // A week inside a month: its days.
        PeriodRange.Of(D("2026-11-21"), D("2026-11-27")).ShouldBe([new PeriodRange(false, D("2026-11-21"), D("2026-11-27"), 1)]);

        // Most of one month: the month less the days around.
        PeriodRange.Of(D("2026-11-02"), D("2026-11-28")).ShouldBe(
        [
            new PeriodRange(true, D("2026-11-01"), D("2026-11-01"), 1),
            new PeriodRange(false, D("2026-11-01"), D("2026-11-01"), -1),
            new PeriodRange(false, D("2026-11-29"), D("2026-11-30"), -1),
        ]);
    }

    [Fact]
    public void an_open_period_reads_months_to_the_ends_of_the_calendar()
    {
        PeriodRange.Of(DateOnly.MinValue, DateOnly.MaxValue).ShouldBe([new PeriodRange(true, DateOnly.MinValue, AuditRegisters.MonthOf(DateOnly.MaxValue), 1)]);
        PeriodRange.Of(D("2026-10-15"), DateOnly.MaxValue).ShouldBe(
        [
            new PeriodRange(true, D("2026-10-01"), AuditRegisters.MonthOf(DateOnly.MaxValue), 1),
            new PeriodRange(false, D("2026-10-01"), D("2026-10-14"), -1),
        ]);
        PeriodRange.Of(DateOnly.MinValue, D("2026-10-05")).ShouldBe(
        [
            new PeriodRange(true, DateOnly.MinValue, D("2026-09-01"), 1),
            new PeriodRange(false, D("2026-10-01"), D("2026-10-05"), 1),
        ]);
        Counted(PeriodRange.Of(D("9999-12-05"), DateOnly.MaxValue)).Count.ShouldBe(27);
        Counted(PeriodRange.Of(DateOnly.MinValue, D("0001-01-05"))).Count.ShouldBe(5);
    }
}
