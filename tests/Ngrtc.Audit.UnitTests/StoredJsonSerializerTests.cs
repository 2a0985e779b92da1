using System.Buffers;
using System.Text;
using Marten;
using Ngrtc.Audit.Service.Hosting;
using Shouldly;
using Weasel.Core;
using Weasel.Storage;

namespace Ngrtc.Audit.UnitTests;

public class StoredJsonSerializerTests
{
    public sealed class Note
    {
        public string Text { get; set; } = "";

        public Level Level { get; set; }
    }

    public enum Level
    {
        Low,
        High,
    }

    private static StoredJsonSerializer Serializer() => new() { EnumStorage = EnumStorage.AsString, Casing = Casing.CamelCase };

    private static string WrittenThrough(IStorageSerializer serializer, object value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        serializer.WriteTo(buffer, value);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [Fact]
    public void writes_what_marten_s_own_serializer_writes()
    {
        var note = new Note { Text = "ä \"q\" <b>", Level = Level.High };
        var marten = new StoreOptions();
        marten.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);

        var written = Encoding.UTF8.GetString(Serializer().Write(note));

        written.ShouldBe(WrittenThrough(marten.Serializer(), note));
        written.ShouldContain("\"level\":\"High\"");
    }

    [Fact]
    public void marten_s_interfaces_get_the_json_already_written_until_it_is_forgotten()
    {
        // Marten's event append calls WriteTo through the serializer interfaces: a changed object still comes out as
        // it was when written, which shows the bytes were reused rather than serialised again.
        var serializer = Serializer();
        var note = new Note { Text = "as written" };
        serializer.Write(note);
        note.Text = "changed later";

        WrittenThrough(serializer, note).ShouldContain("as written");
        WrittenThrough((Marten.ISerializer)serializer, note).ShouldContain("as written");

        serializer.Forget(note);
        WrittenThrough(serializer, note).ShouldContain("changed later");
    }

    [Fact]
    public void objects_not_written_before_are_serialised_as_usual()
    {
        var serializer = Serializer();
        serializer.Write(new Note { Text = "another" });

        WrittenThrough(serializer, new Note { Text = "fresh" }).ShouldBe("""{"text":"fresh","level":"Low"}""");
    }
}
