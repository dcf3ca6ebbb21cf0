using System.Text;

namespace NeuronHost.Data.Corpora;

/// <summary>Reads a corpus file line by line as the UD validator would accept it: strict UTF-8
/// (an invalid byte sequence is an error naming the line, never a silent U+FFFD), lines of at
/// most <see cref="MaxLineBytes"/>, and only from a regular file (a device such as /dev/zero,
/// which reports no length but never ends, is refused) — so memory stays bounded whatever the
/// file is. Errors are <see cref="CorpusFormatException"/>s naming the file and line.</summary>
public sealed class CorpusLineReader : TextReader
{
    /// <summary>The longest line read (the longest line of UD English-EWT is under 2 KB).</summary>
    public const int MaxLineBytes = 1 << 20;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly Stream stream;
    private readonly string file;
    private readonly long declaredLength;
    private readonly byte[] buffer = new byte[64 * 1024];
    private readonly MemoryStream line = new();
    private int start, end;
    private long consumed;
    private int lineNumber;
    private bool finished;

    public CorpusLineReader(string file)
    {
        this.file = file;
        try
        {
            stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            declaredLength = stream.Length;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CorpusFormatException(file, 0, $"cannot be read: {e.Message}");
        }
    }

    /// <summary>Every line of <paramref name="file"/>, read as <see cref="CorpusLineReader"/> does.</summary>
    public static List<string> ReadAllLines(string file)
    {
        using var reader = new CorpusLineReader(file);
        var lines = new List<string>();
        while (reader.ReadLine() is { } l) lines.Add(l);
        return lines;
    }

    public override string? ReadLine()
    {
        if (finished) return null;
        line.SetLength(0);
        while (true)
        {
            if (start == end && !Fill())
            {
                finished = true;
                if (line.Length == 0) return null;
                return Decode();
            }
            int newline = Array.IndexOf(buffer, (byte)'\n', start, end - start);
            int take = (newline < 0 ? end : newline) - start;
            if (line.Length + take > MaxLineBytes)
                throw new CorpusFormatException(file, lineNumber + 1, $"line longer than the limit of {MaxLineBytes:N0} bytes (not a text corpus?)");
            line.Write(buffer, start, take);
            start += take;
            if (newline >= 0)
            {
                start++;
                return Decode();
            }
        }
    }

    private bool Fill()
    {
        int n;
        try { n = stream.Read(buffer, 0, buffer.Length); }
        catch (IOException e) { throw new CorpusFormatException(file, lineNumber + 1, $"cannot be read: {e.Message}"); }
        consumed += n;
        if (consumed > declaredLength)
            throw new CorpusFormatException(file, lineNumber + 1, "is not a regular file (a device, pipe or file still being written): corpora are read from regular files only");
        start = 0;
        end = n;
        return n > 0;
    }

    private string Decode()
    {
        lineNumber++;
        var bytes = line.GetBuffer().AsSpan(0, (int)line.Length);
        if (lineNumber == 1 && bytes.StartsWith("\uFEFF"u8)) bytes = bytes[3..];
        if (bytes.Length > 0 && bytes[^1] == '\r') bytes = bytes[..^1];
        try { return StrictUtf8.GetString(bytes); }
        catch (DecoderFallbackException e)
        {
            throw new CorpusFormatException(file, lineNumber, $"is not valid UTF-8 (byte {Math.Max(e.Index, 0) + 1} of the line)");
        }
    }

    public override int Peek() => throw new NotSupportedException("read corpus files by line");
    public override int Read() => throw new NotSupportedException("read corpus files by line");

    protected override void Dispose(bool disposing)
    {
        if (disposing) stream.Dispose();
        base.Dispose(disposing);
    }
}
