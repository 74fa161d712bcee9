using System.Text;
using Mailsmith.Ingest;

namespace Mailsmith.Tests.Ingest;

public sealed class CsvRecordReaderTests
{
    private static List<(long Line, string[] Fields, string Errors)> ReadAll(string content, out ColumnSet columns) =>
        ReadAll(Encoding.UTF8.GetBytes(content), out columns);

    private static List<(long Line, string[] Fields, string Errors)> ReadAll(byte[] content, out ColumnSet columns)
    {
        columns = new ColumnSet();
        using var reader = new CsvRecordReader(new MemoryStream(content), columns);
        Assert.True(reader.ReadHeader());
        var records = new List<(long, string[], string)>();
        while (reader.Read())
        {
            var fields = Enumerable.Range(0, reader.Fields.Count).Select(i => Encoding.UTF8.GetString(reader.Fields[i])).ToArray();
            records.Add((reader.Line, fields, string.Join("; ", reader.Errors.Select(e => $"{e.Column}: {e.Reason}"))));
        }
        return records;
    }

    [Fact]
    public void Read_QuotedFields_UnescapesAndTracksPhysicalLines()
    {
        var records = ReadAll("a,b,c\r\n1,\"x,\"\"y\"\"\",\"multi\r\nline\nfield\"\r\n\r\n2,,\"\"\n3,\"q\"tail,\"end\"", out var columns);

        Assert.Equal(["a", "b", "c"], columns.Names);
        Assert.Equal(3, records.Count);
        Assert.Equal([2L, 6L, 7L], records.Select(r => r.Line));
        Assert.Equal(["1", "x,\"y\"", "multi\r\nline\nfield"], records[0].Fields);
        Assert.Equal(["2", "", ""], records[1].Fields);
        Assert.Equal(["3", "qtail", "end"], records[2].Fields);
        Assert.All(records, r => Assert.Equal("", r.Errors));
    }

    [Fact]
    public void Read_ByteOrderMarkAndTrailingComma_AreHandled()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("id,name\nx,\n")).ToArray();

        var records = ReadAll(bytes, out var columns);

        Assert.Equal(["id", "name"], columns.Names);
        Assert.Equal(["x", ""], Assert.Single(records).Fields);
    }

    [Fact]
    public void Read_UnterminatedQuote_ReportsAtRecordStart()
    {
        var records = ReadAll("id,name\nx,ok\ny,\"never\nclosed\n", out _);

        Assert.Equal(2, records.Count);
        Assert.Equal((3L, "name: unterminated quoted field"), (records[1].Line, records[1].Errors));
    }

    [Fact]
    public void Read_FieldLargerThanBuffer_IsReadWhole()
    {
        var big = new string('é', 100_000);
        var records = ReadAll($"id,text\n1,\"{big}\n{big}\"\n2,short\n", out _);

        Assert.Equal(2, records.Count);
        Assert.Equal(big + "\n" + big, records[0].Fields[1]);
        Assert.Equal((4L, "short"), (records[1].Line, records[1].Fields[1]));
    }

    [Fact]
    public void Read_InvalidUtf8_FlagsTheField()
    {
        var bytes = Encoding.UTF8.GetBytes("id,name\n1,ok\n2,ab").Concat(new byte[] { 0xE2, 0x82 }).Concat(Encoding.UTF8.GetBytes("\n")).ToArray();

        var records = ReadAll(bytes, out _);

        Assert.Equal("", records[0].Errors);
        Assert.Equal((3L, "name: invalid UTF-8"), (records[1].Line, records[1].Errors));
    }
}
