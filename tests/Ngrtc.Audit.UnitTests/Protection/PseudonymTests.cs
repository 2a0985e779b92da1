using System.Security.Cryptography;
using System.Text;
using Ngrtc.Audit.Protection;

namespace Ngrtc.Audit.UnitTests.Protection;

public class PseudonymTests
{
    private static readonly byte[] PepperA = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];
    private static readonly byte[] PepperB = [.. Enumerable.Range(2, 32).Select(i => (byte)i)];
    private static readonly Epoch November = new("2026-11");
    private static readonly NormalizedIdentifier Number = IdentifierNormalizer.Default.Normalize("tel:+491555000001", IdentifierKind.TelephoneNumber);

    [Fact]
    public void a_pseudonym_is_the_truncated_hmac_of_form_and_value_under_the_pepper_with_its_epoch_in_clear()
    {
        byte[] input = [(byte)IdentifierForm.Address, .. Encoding.UTF8.GetBytes("+491555000001")];
        var expected = HMACSHA256.HashData(PepperA, input)[..16];

        var pseudonym = Pseudonyms.Compute(PepperA, November, Number);

        pseudonym.ShouldBe("p1.2026-11." + Convert.ToBase64String(expected).TrimEnd('=').Replace('+', '-').Replace('/', '_'));
        pseudonym.Length.ShouldBe(3 + 8 + 22);
        Pseudonyms.TryReadEpoch(pseudonym, out var epoch).ShouldBeTrue();
        epoch.ShouldBe(November);
    }

    [Fact]
    public void reused_hmac_states_give_the_one_shot_result_for_many_keys_in_any_order_and_long_values()
    {
        // More keys than a thread keeps HMAC states for, interleaved, with a key mutated in place between calls.
        var peppers = Enumerable.Range(0, 20).Select(k => Enumerable.Range(k, 32).Select(i => (byte)(i * 7)).ToArray()).ToArray();
        string[] values = ["+491555000001", "ünïcödé name", new string('x', 700), "a"];
        for (var round = 0; round < 3; round++)
        {
            foreach (var pepper in peppers.Reverse().Concat(peppers))
            {
                foreach (var value in values)
                {
                    var identifier = new NormalizedIdentifier(IdentifierForm.Address, value);
                    byte[] input = [(byte)IdentifierForm.Address, .. Encoding.UTF8.GetBytes(value)];
                    var expected = HMACSHA256.HashData(pepper, input)[..16];
                    var encoded = Convert.ToBase64String(expected).TrimEnd('=').Replace('+', '-').Replace('/', '_');

                    Pseudonyms.Compute(pepper, November, identifier).ShouldBe("p1.2026-11." + encoded);
                    SubjectId.Compute(pepper, identifier).Value.ShouldBe(encoded);
                }
            }

            peppers[0][0]++;
        }
    }

    [Fact]
    public void stable_within_an_epoch_for_every_spelling()
    {
        var normalizer = IdentifierNormalizer.Default;
        var pseudonyms = new[] { "tel:+49-1555-000001", "+49 1555 000001", "sip:+491555000001@ims.example.org;user=phone", "msisdn-491555000001" }
            .Select(s => Pseudonyms.Compute(PepperA, November, normalizer.Normalize(s, IdentifierKind.PublicUserIdentity)));

        pseudonyms.Distinct().ShouldHaveSingleItem().ShouldBe(Pseudonyms.Compute(PepperA, November, Number));
    }

    [Fact]
    public void different_across_epochs_peppers_and_people()
    {
        var other = IdentifierNormalizer.Default.Normalize("tel:+491555000002", IdentifierKind.TelephoneNumber);
        var all = new[]
        {
            Pseudonyms.Compute(PepperA, November, Number),
            Pseudonyms.Compute(PepperB, November, Number),
            Pseudonyms.Compute(PepperA, November, other),
        };

        all.Distinct().Count().ShouldBe(3);
        // The same pepper under another epoch label still differs by its label; peppers are per epoch anyway.
        Pseudonyms.Compute(PepperA, new Epoch("2026-12"), Number).ShouldNotBe(all[0]);
        Pseudonyms.Compute(PepperA, new Epoch("2026-12"), Number)[11..].ShouldBe(all[0][11..]);
    }

    [Fact]
    public void the_same_text_in_two_namespaces_gets_two_pseudonyms()
    {
        var avatar = new NormalizedIdentifier(IdentifierForm.AvatarId, "anna");
        var name = new NormalizedIdentifier(IdentifierForm.DisplayName, "anna");

        Pseudonyms.Compute(PepperA, November, avatar).ShouldNotBe(Pseudonyms.Compute(PepperA, November, name));
        SubjectId.Compute(PepperA, avatar).ShouldNotBe(SubjectId.Compute(PepperA, name));
    }

    [Fact]
    public void a_pseudonym_does_not_contain_the_identifier_and_long_identifiers_work()
    {
        Pseudonyms.Compute(PepperA, November, Number).ShouldNotContain("1555000001");
        var longName = new NormalizedIdentifier(IdentifierForm.DisplayName, new string('ä', 5000));
        Pseudonyms.Compute(PepperA, November, longName).Length.ShouldBe(33);
    }

    [Fact]
    public void a_short_pepper_is_refused()
    {
        Should.Throw<ArgumentException>(() => Pseudonyms.Compute(new byte[16], November, Number));
    }

    [Fact]
    public void subject_ids_do_not_depend_on_the_epoch_and_differ_per_index_key()
    {
        var subject = SubjectId.Compute(PepperA, Number);

        subject.Value.Length.ShouldBe(22);
        SubjectId.Compute(PepperA, IdentifierNormalizer.Default.Normalize("+49 1555 000001", IdentifierKind.PublicUserIdentity)).ShouldBe(subject);
        SubjectId.Compute(PepperB, Number).ShouldNotBe(subject);
        Should.Throw<ArgumentException>(() => new SubjectId("not a subject id"));
    }

    [Theory]
    [InlineData("2026-11-28T10:15:00Z", "2026-11")]
    [InlineData("2026-11-01T00:00:00Z", "2026-11")]
    [InlineData("2026-11-30T23:59:59.9999999Z", "2026-11")]
    [InlineData("2026-12-01T00:30:00+01:00", "2026-11")]
    [InlineData("2026-11-30T23:30:00-01:00", "2026-12")]
    public void monthly_epochs_are_utc_calendar_months(string time, string label) =>
        EpochSchedule.Monthly().EpochOf(DateTimeOffset.Parse(time, System.Globalization.CultureInfo.InvariantCulture)).Label.ShouldBe(label);

    [Fact]
    public void day_epochs_are_aligned_windows_from_1970()
    {
        var week = EpochSchedule.EveryDays(7);
        var window = week.WindowOf(new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero));

        window.Epoch.Label.ShouldBe("2026-11-26d7"); // 2026-11-26 is day 20,783 = 2,969 × 7 since 1970-01-01
        window.Start.ShouldBe(new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero));
        window.End.ShouldBe(new DateTimeOffset(2026, 12, 3, 0, 0, 0, TimeSpan.Zero));
        week.EpochOf(window.End.AddTicks(-1)).ShouldBe(window.Epoch);
        week.EpochOf(window.End).Label.ShouldBe("2026-12-03d7");
        week.EpochOf(window.Start.AddTicks(-1)).Label.ShouldBe("2026-11-19d7");
        EpochSchedule.EveryDays(1).EpochOf(window.Start).Label.ShouldBe("2026-11-26d1");
        EpochSchedule.EveryDays(7).EpochOf(new DateTimeOffset(1969, 12, 31, 0, 0, 0, TimeSpan.Zero)).Label.ShouldBe("1969-12-25d7");
    }

    [Fact]
    public void lanes_prefix_labels_so_retention_classes_never_share_a_pepper()
    {
        var time = new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);

        EpochSchedule.Monthly("a").EpochOf(time).Label.ShouldBe("a-2026-11");
        EpochSchedule.EveryDays(7, "t0").EpochOf(time).Label.ShouldBe("t0-2026-11-26d7");
        Should.Throw<ArgumentException>(() => EpochSchedule.Monthly("T0"));
        Should.Throw<ArgumentOutOfRangeException>(() => EpochSchedule.EveryDays(0));
    }

    [Theory]
    [InlineData(null, null, "2026-11-28T10:00:00Z")]
    [InlineData(null, null, "2026-12-31T23:59:59Z")]
    [InlineData(null, "t0", "2026-02-10T00:00:00Z")]
    [InlineData(7, null, "2026-11-28T10:00:00Z")]
    [InlineData(1, "2026", "2026-03-01T00:00:00Z")]
    [InlineData(366, "a", "1969-12-31T00:00:00Z")]
    public void a_label_gives_back_its_window_without_the_schedule(int? days, string? lane, string time)
    {
        var schedule = days is { } d ? EpochSchedule.EveryDays(d, lane) : EpochSchedule.Monthly(lane);
        var window = schedule.WindowOf(DateTimeOffset.Parse(time, System.Globalization.CultureInfo.InvariantCulture));

        EpochWindow.TryParse(window.Epoch.Label, out var read).ShouldBeTrue();
        read.ShouldBe(window);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("2026")]
    [InlineData("2026-13")]
    [InlineData("2026-02-30d7")]
    [InlineData("2026-11-26d0")]
    [InlineData("2026-11-26d367")]
    [InlineData("toolonglane-2026-11")]
    [InlineData("2026-11-26")]
    public void a_label_no_schedule_writes_names_no_window(string? label) =>
        EpochWindow.TryParse(label, out _).ShouldBeFalse();

    [Theory]
    [InlineData("")]
    [InlineData("2026.11")]
    [InlineData("2026-11 ")]
    [InlineData("A-2026")]
    [InlineData("12345678901234567890123456789012345678901")]
    public void epoch_labels_fit_between_the_dots_of_a_pseudonym(string label) =>
        Should.Throw<ArgumentException>(() => new Epoch(label));

    [Theory]
    [InlineData("p1.2026-11")]
    [InlineData("p2.2026-11.abc")]
    [InlineData("p1.2026.11.abc")]
    [InlineData("enc1.k.abc")]
    public void only_p1_pseudonyms_have_an_epoch(string text) => Pseudonyms.TryReadEpoch(text, out _).ShouldBeFalse();
}
