using System.CommandLine;
using Mailsmith.Track;

namespace Mailsmith.Cli.Commands;

/// <summary><c>mailsmith keys rotate</c>: a new link-signing key signs from now on; earlier keys keep verifying.</summary>
internal sealed class KeysCommand : Command
{
    public KeysCommand() : base("keys", "Manage the key that signs tracking and unsubscribe links")
    {
        Add(new RotateCommand());
    }

    private sealed class RotateCommand : Command
    {
        public Option<int> Keep { get; } = new("--keep") { Description = "Keys kept in all, the new one included (default 4)", DefaultValueFactory = _ => 4 };

        public RotateCommand() : base("rotate", "Put a fresh random key first in the key file; links in mail already sent stay valid while their key is kept")
        {
            Add(Keep);
            SetAction((parse, ct) => Guarded.RunAsync(() =>
            {
                var settings = GlobalOptions.Settings(parse);
                if (!string.IsNullOrWhiteSpace(settings.Track.SigningKey))
                {
                    throw new ArgumentException("Track:SigningKey is set, so the key file is not used: rotate by moving the old key to Track:PreviousSigningKeys and setting a new Track:SigningKey");
                }
                var keep = parse.GetValue(Keep);
                if (keep < 2)
                {
                    throw new ArgumentException("--keep must be at least 2 (the new key and the one that signed the mail already sent)");
                }
                var path = settings.Track.SigningKeyFile ?? settings.DefaultKeyFile;
                var count = LinkSigner.RotateKeyFile(path, keep);
                Console.WriteLine($"{path}: a new key signs from now on; {count - 1} earlier key(s) still verify. Restart mailsmith serve to use it.");
                return Task.FromResult(ExitCode.Success);
            }));
        }
    }
}
