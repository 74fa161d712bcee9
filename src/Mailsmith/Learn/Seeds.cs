using System.IO.Hashing;
using System.Text;

namespace Mailsmith.Learn;

/// <summary>Deterministic seeds derived from a root seed and labels (unlike <see cref="HashCode"/>, the same in every process).</summary>
public static class Seeds
{
    /// <summary>A stable non-negative 32-bit seed for (<paramref name="seed"/>, <paramref name="index"/>, <paramref name="label"/>).</summary>
    public static int Mix(long seed, long index, string label) =>
        (int)(XxHash64.HashToUInt64(Encoding.UTF8.GetBytes($"{index}\u001f{label}"), seed) & 0x7fffffff);
}
