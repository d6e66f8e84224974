import type { DoctorReport } from '../../shared/readiness';

/** Commands a line starts with when it is meant to be typed, not read. */
const COMMAND = /^(apt|apt-get|dnf|yum|zypper|systemctl|pkg|apk)\s/;

/** "Debian/Ubuntu: apt install …" → the family, and the command to copy. */
function splitLine(line: string): { family?: string; text: string } {
  const m = /^([^:]{1,40}):\s+(.*)$/.exec(line);
  return m ? { family: m[1]!, text: m[2]! } : { text: line };
}

/** How to install and start the agent, for the guest's OS family when the agent could tell. */
export function InstallAdvice({ install }: { install: NonNullable<DoctorReport['install']> }) {
  return (
    <section className="doctor-remedy" data-testid="doctor-install" data-family={install.family}>
      <h4>Install and start the guest agent</h4>
      <p className="muted">
        {install.family !== 'unknown'
          ? `In the guest (${install.os}), as root:`
          : install.os === 'unknown'
            ? 'The agent could not tell the guest’s OS: the commands for each family, as root.'
            : `For ${install.os}, as root, with the commands of its family:`}
      </p>
      <ul className="install-commands">
        {install.commands.map((line) => {
          const { family, text } = splitLine(line);
          return (
            <li key={line}>
              {family && <span className="install-family">{family}</span>}
              {COMMAND.test(text) ? (
                <code className="command-inline">{text}</code>
              ) : (
                <span>{text}</span>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
