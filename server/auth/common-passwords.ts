/**
 * Well-known passwords of 10 or more characters (shorter ones fail the length rule anyway):
 * taken from the tops of public leaked-password frequency lists, including those common in China
 * (pinyin, 520/1314 "I love you forever", QQ-style digit runs), keyboard walks, and this
 * project's published demo password. Compared in lower case. A short list on purpose: it stops
 * the first guesses of an online attacker, who is rate-limited at the login anyway.
 */
export const COMMON_PASSWORDS: ReadonlySet<string> = new Set([
  // digits
  '0123456789', '1234567890', '12345678910', '123456789a', '0987654321', '9876543210', '1111111111', '1122334455',
  '1234512345', '1212121212', '1231231231', '1472583690', '1357924680', '123456789123', '123123123123', '1234567890123',
  '12345678901', '11223344556677', '5201314520', '5211314521', '1314520520', '5201314123', '1314521521', '7758521521',
  '2010201020', '1988198811', '3141592653', '6666666666', '8888888888', '123456789000',
  // letters, keyboard walks
  'qwertyuiop', 'asdfghjkl;', 'zxcvbnm123', 'qwerty1234', 'qwerty123456', '1qaz2wsx3edc', '1q2w3e4r5t', '1q2w3e4r5t6y',
  'q1w2e3r4t5', 'zaq12wsxcde', 'zaq1xsw2cde3', 'qazwsxedcrfv', 'qazwsxedc123', 'asdfghjkl123', 'asdfasdfasdf', 'qweasdzxc123',
  '!qaz2wsx3edc', '1qaz@wsx#edc', 'qwer1234qwer', 'abcd123456', 'abc1234567', 'abcdefghij', 'abcdefg123', 'abc123456789',
  'a123456789', 'aa123456789', 'a1234567890', 'asd123456789', 'qq123456789', 'qq1234567890', 'wang123456', 'zhang123456',
  'li123456789', 'woaini1314', 'woaini5201314', 'iloveyou1314', 'woshishui123', 'wodemima123', 'mima123456',
  // words
  'password123', 'password12', 'password1!', 'password1234', 'passw0rd123', 'p@ssw0rd123', 'p@ssword123', 'password!1',
  'administrator', 'admin123456', 'admin@123456', 'admin12345', 'adminadmin', 'administrator1', 'root123456', 'rootroot123',
  'welcome123', 'welcome1234', 'iloveyou12', 'iloveyou123', 'sunshine123', 'football123', 'baseball123', 'princess123',
  'monkey12345', 'dragon12345', 'superman123', 'letmein123', 'trustno1234', 'changeme123', 'default123', 'test123456',
  'testtest123', 'qwerty!@#$', '1234qwerasdf', 'china123456', 'beijing123', 'shanghai123', 'dalian12345',
  // this project
  'lifecircle-demo', 'lifecircle', 'lifecircle123', 'lifecircle-admin',
]);
